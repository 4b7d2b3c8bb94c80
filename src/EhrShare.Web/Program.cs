using EhrShare.Core;
using EhrShare.Infrastructure.Ethereum;
using EhrShare.Infrastructure.Ipfs;
using EhrShare.Infrastructure.Persistence;
using EhrShare.Infrastructure.ShareNodes;
using EhrShare.Web.Hosting;

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
await app.RunAsync();
return 0;

/// <summary>Entry point type, public so functional tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
