using EhrShare.Core;
using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ipfs;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Infrastructure.ShareNodes;
using EhrShare.Web.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.AddEhrLogging();
builder.AddEhrCore();
builder.AddPersistence();
builder.AddShareNodes();
builder.AddIpfs();
builder.AddChain();
builder.AddAccounts();
builder.AddEhrWeb();

var app = builder.Build();
if (CommandLine.IsCommand(args))
{
    return await app.RunCommandAsync(args);
}

app.UseEhrWeb();
var underTestHost = app.Services.GetService<IServer>()?.GetType().Name == "TestServer";
try
{
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException e) when (!underTestHost)
{
    // A missing or bad setting: say which, and exit without a crash dump. (Under WebApplicationFactory the test
    // host must see the exception itself.)
    await Console.Error.WriteLineAsync("Configuration error: " + string.Join(" ", e.Failures));
    return 2;
}

/// <summary>Entry point type, public so functional tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
