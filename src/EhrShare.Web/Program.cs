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
using EhrShare.Web.Hosting;
using Microsoft.AspNetCore.Hosting.Server;

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

var app = builder.Build();
if (CommandLine.IsCommand(args))
{
    return await app.RunCommandAsync(args);
}

var underTestHost = app.Services.GetService<IServer>()?.GetType().Name == "TestServer";
try
{
    // Inside the try: building the pipeline reads (and so validates) the Web settings.
    app.UseEhrWeb();
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (!underTestHost && ConfigurationErrors.Describe(e) is { } message)
{
    // A missing or bad setting: say which, and exit without a crash dump. (Under WebApplicationFactory the test
    // host must see the exception itself.)
    await Console.Error.WriteLineAsync(message);
    return 2;
}

/// <summary>Entry point type, public so functional tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
