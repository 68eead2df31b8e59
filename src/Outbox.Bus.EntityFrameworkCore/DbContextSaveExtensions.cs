using Microsoft.EntityFrameworkCore;

namespace Outbox.Bus.EntityFrameworkCore;

static class DbContextSaveExtensions
{
    /// <summary>
    /// <c>SaveChanges</c> inside the caller's open transaction without EF Core's automatic savepoint. The savepoint only
    /// helps a caller that goes on using the transaction after a failed save; where a failure always rolls the whole
    /// transaction back (an outbox pass, a saga update or delete), it is two wasted round trips per save
    /// (<c>SAVEPOINT</c>, <c>RELEASE SAVEPOINT</c>). Saves whose failure is recovered from in the same transaction (the saga
    /// repository's inserts) keep using plain <c>SaveChangesAsync</c>.
    /// </summary>
    public static async Task<int> SaveChangesWithoutSavepointAsync(this DbContext dbContext, CancellationToken cancellationToken)
    {
        var database = dbContext.Database;
        if (!database.AutoSavepointsEnabled || database.CurrentTransaction is null)
            return await dbContext.SaveChangesAsync(cancellationToken).ConfigureAwait(false);

        database.AutoSavepointsEnabled = false;
        try
        {
            return await dbContext.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            database.AutoSavepointsEnabled = true;
        }
    }
}
