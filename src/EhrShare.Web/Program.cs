using EhrShare.Core;
using EhrShare.Infrastructure.Chain.Index;
using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ipfs;
using EhrShare.Infrastructure.Mail;
using EhrShare.Infrastructure.Monitoring;
using EhrShare.Infrastructure.Notifications;
using EhrShare.Infrastructure.Outbox;
using EhrShare.Infrastructure.Records;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Infrastructure.ShareNodes;
using EhrShare.Web.Api;
using EhrShare.Web.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddEhrLogging();
builder.AddEhrCore();
builder.AddPersistence();
builder.AddShareNodes();
builder.AddIpfs();
builder.AddChain();
builder.AddChainIndex();
builder.AddAccessLogOutbox();
builder.AddRecordReconciler();
builder.AddMonitoring();
builder.AddMail();
builder.AddNotifications();
builder.AddAccounts();
builder.AddOAuthServer();
builder.AddEhrWeb();
builder.AddEhrOpenApi();

var app = builder.Build();
if (CommandLine.IsCommand(args))
{
    return await app.RunCommandAsync(args);
}

// A test host (WebApplicationFactory) sets Hosting:RethrowStartupErrors: it must see the exception itself.
var rethrowStartupErrors = app.Configuration.GetValue<bool>("Hosting:RethrowStartupErrors");
try
{
    // Inside the try: building the pipeline reads (and so validates) the Web settings.
    app.UseEhrWeb();
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (!rethrowStartupErrors && ConfigurationErrors.Describe(e) is { } message)
{
    // A missing or bad setting: say which, and exit without a crash dump.
    await Console.Error.WriteLineAsync(message);
    return 2;
}

/// <summary>Entry point type, public so functional tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
