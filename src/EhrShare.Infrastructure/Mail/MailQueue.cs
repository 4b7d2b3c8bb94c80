using System.Threading.Channels;
using EhrShare.Core.Mail;
using Microsoft.Extensions.Options;

namespace EhrShare.Infrastructure.Mail;

/// <summary>The in-memory queue between requests and <see cref="SmtpMailDispatcher"/>; bounded, the oldest message is dropped when full.</summary>
public sealed class MailQueue(IOptions<SmtpOptions> options) : IMailQueue
{
    private readonly Channel<OutgoingMail> _channel = Channel.CreateBounded<OutgoingMail>(
        new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public bool Enabled => options.Value.Enabled;

    public Uri LinkBase => Enabled
        ? new Uri(options.Value.LinkBaseUrl.TrimEnd('/') + "/")
        : throw new InvalidOperationException("Mail is not enabled (Smtp:Enabled).");

    public ValueTask EnqueueAsync(OutgoingMail mail, CancellationToken cancellationToken) => Enabled
        ? _channel.Writer.WriteAsync(mail, cancellationToken)
        : throw new InvalidOperationException("Mail is not enabled (Smtp:Enabled).");

    internal ChannelReader<OutgoingMail> Reader => _channel.Reader;
}
