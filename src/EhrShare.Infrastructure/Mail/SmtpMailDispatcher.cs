using EhrShare.Core.Mail;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace EhrShare.Infrastructure.Mail;

/// <summary>
/// Sends queued mail through SMTP (MailKit), one message at a time, retrying a failed send three times with a growing
/// pause. Logs the recipient's domain and the outcome, never the body (it may hold a reset link).
/// </summary>
public sealed class SmtpMailDispatcher(MailQueue queue, IOptions<SmtpOptions> options, ILogger<SmtpMailDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan[] Pauses = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        await foreach (var mail in queue.Reader.ReadAllAsync(stoppingToken))
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await SendAsync(mail, stoppingToken);
                    logger.LogInformation("Sent mail {Subject} to a recipient at {Domain}", mail.Subject, Domain(mail.To));
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException && attempt < Pauses.Length)
                {
                    logger.LogWarning("Sending mail to a recipient at {Domain} failed ({Error}); retrying in {Pause}", Domain(mail.To), e.Message, Pauses[attempt]);
                    await Task.Delay(Pauses[attempt], stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Gave up sending mail {Subject} to a recipient at {Domain}", mail.Subject, Domain(mail.To));
                    break;
                }
            }
        }
    }

    private async Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        var smtp = options.Value;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From));
        message.To.Add(MailboxAddress.Parse(mail.To));
        message.Subject = mail.Subject;
        message.Body = new TextPart("plain") { Text = mail.Body };

        using var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        var security = smtp.Security switch
        {
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            SmtpSecurity.None => SecureSocketOptions.None,
            _ => SecureSocketOptions.StartTls,
        };
        await client.ConnectAsync(smtp.Host, smtp.Port, security, cancellationToken);
        if (smtp.UserName.Length > 0)
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password, cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }

    private static string Domain(string address) => address[(address.LastIndexOf('@') + 1)..];
}
