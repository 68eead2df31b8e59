namespace Outbox.Bus.Benchmarks;

/// <summary>Exact percentiles from every sample (nearest rank on the sorted samples): no histogram, no sampling.</summary>
public sealed record Distribution(int Count, double Min, double P50, double P90, double P99, double P999, double Max, double Mean)
{
    public static Distribution Empty { get; } = new(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);

    public static Distribution Of(IEnumerable<double> samples)
    {
        var sorted = samples.ToArray();
        if (sorted.Length == 0)
            return Empty;
        Array.Sort(sorted);
        return new Distribution(sorted.Length, sorted[0], Rank(sorted, 0.50), Rank(sorted, 0.90), Rank(sorted, 0.99),
            Rank(sorted, 0.999), sorted[^1], sorted.Average());
    }

    /// <summary>The smallest sample with at least <paramref name="q"/> of all samples at or below it.</summary>
    static double Rank(double[] sorted, double q)
    {
        var rank = (int)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
