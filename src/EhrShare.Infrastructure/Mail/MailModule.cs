using EhrShare.Core.Mail;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EhrShare.Infrastructure.Mail;

public static class MailModule
{
    /// <summary>Outgoing mail (password reset): a queue and an SMTP sender in the background; off unless <c>Smtp:Enabled</c>.</summary>
    public static IHostApplicationBuilder AddMail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SmtpOptions>()
            .BindConfiguration(SmtpOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<MailQueue>();
        builder.Services.AddSingleton<IMailQueue>(services => services.GetRequiredService<MailQueue>());
        builder.Services.AddHostedService<SmtpMailDispatcher>();
        return builder;
    }
}
