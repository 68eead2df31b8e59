using Microsoft.Extensions.Options;
using MimeKit;
using Outbox.Bus.Components.Data;

namespace Outbox.Bus.Components.Delivery;

/// <summary>Writes each message as an <c>.eml</c> file, so the demo account works with no SMTP server at all.</summary>
public sealed class PickupMailTransport(IOptions<PickupOptions> options, IOptions<StorageOptions> storage) : IMailTransport
{
    static readonly FormatOptions HideBcc = CreateFormat();

    public string Provider => "pickup";

    public string Directory => Path.GetFullPath(options.Value.Directory, storage.Value.DataDirectoryPath);

    public async Task<DeliveryReceipt> SendAsync(MailAccount account, MimeMessage message, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
            throw new MailDeliveryException(Contracts.FailureKind.Permanent, "The pickup provider is disabled on this server");

        System.IO.Directory.CreateDirectory(Directory);
        var name = $"{message.Date.UtcDateTime:yyyyMMddTHHmmss}-{(message.MessageId ?? Guid.NewGuid().ToString("n")).Split('@')[0]}.eml";
        var path = Path.Combine(Directory, name);
        var temporary = path + ".tmp";

        // Written aside and moved into place, so a reader of the directory never sees half a message.
        await using (var stream = File.Create(temporary))
            await message.WriteToAsync(HideBcc, stream, cancellationToken);
        File.Move(temporary, path, overwrite: true);
        return DeliveryReceipt.Accepted($"written to {name}");
    }

    static FormatOptions CreateFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.HiddenHeaders.Add(HeaderId.Bcc);
        return format;
    }
}
