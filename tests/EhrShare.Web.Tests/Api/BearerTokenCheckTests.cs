using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using EhrShare.Core.Users;
using EhrShare.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;

namespace EhrShare.Web.Tests.Api;

/// <summary>
/// A FHIR API request's bearer token is checked against the database in one query, as a page's session is: the token's
/// entry, its authorization and its user together, nothing cached. So revoking the token or its authorization, or
/// the user's approval, holds from the next request, on every instance.
/// </summary>
public sealed class BearerTokenCheckTests(BearerTokenCheckTests.Fixture fixture) : IClassFixture<BearerTokenCheckTests.Fixture>
{
    /// <summary>The app, with the SQL commands it sends during a step recorded (<see cref="CommandRecorder.DuringAsync"/>).</summary>
    public sealed class Fixture : IAsyncDisposable
    {
        public Fixture()
        {
            var recorder = Commands;
            App = new EhrAppFactory(testServices: services =>
                services.ConfigureDbContext<EhrDbContext>((_, options) => options.AddInterceptors(recorder)));
        }

        public CommandRecorder Commands { get; } = new();

        public EhrAppFactory App { get; }

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    [Fact]
    public async Task ATokenIsCheckedInOneQuery_WithItsAuthorizationAndItsUser()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var access = (await OAuthSteps.SignInAndAllowAsync(fixture.App, patient.Email, "patient/*.rs")).GetProperty("access_token").GetString()!;
        using var client = fixture.App.CreateClient();

        var commands = await fixture.Commands.DuringAsync(async () => Assert.Equal(HttpStatusCode.OK, await PatientReadAsync(client, patient.Id, access)));

        var tokenChecks = commands.Where(c => c.Contains("`OAuthTokens`", StringComparison.Ordinal)).ToList();
        var check = Assert.Single(tokenChecks);
        Assert.Contains("`OAuthAuthorizations`", check, StringComparison.Ordinal);
        Assert.Contains("`AspNetUsers`", check, StringComparison.Ordinal);
        Assert.DoesNotContain(commands, c => c.Contains("`OAuthAuthorizations`", StringComparison.Ordinal) && c != check);
    }

    [Fact]
    public async Task RevokingTheAuthorization_Gets401AtOnce_HereAndOnAnotherInstance()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var access = (await OAuthSteps.SignInAndAllowAsync(fixture.App, patient.Email, "patient/*.rs")).GetProperty("access_token").GetString()!;
        await using var other = new EhrAppFactory();
        using var here = fixture.App.CreateClient();
        using var there = other.CreateClient();
        Assert.Equal(HttpStatusCode.OK, await PatientReadAsync(there, patient.Id, access));

        using (var scope = fixture.App.Services.CreateScope())
        {
            var authorizations = scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>();
            await foreach (var authorization in authorizations.FindBySubjectAsync(patient.Id))
            {
                Assert.True(await authorizations.TryRevokeAsync(authorization));
            }
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await PatientReadAsync(here, patient.Id, access));
        Assert.Equal(HttpStatusCode.Unauthorized, await PatientReadAsync(there, patient.Id, access));
    }

    [Fact]
    public async Task AUserNoLongerApproved_Gets403WithAnOperationOutcome_AtOnce()
    {
        var patient = await World.ApprovedPatientAsync(fixture.App);
        var access = (await OAuthSteps.SignInAndAllowAsync(fixture.App, patient.Email, "patient/*.rs")).GetProperty("access_token").GetString()!;
        using var client = fixture.App.CreateClient();
        Assert.Equal(HttpStatusCode.OK, await PatientReadAsync(client, patient.Id, access));

        using (var scope = fixture.App.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<EhrDbContext>().Users.Where(u => u.Id == patient.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, UserStatus.Rejected));
        }

        using var request = OAuthSteps.Bearer(HttpMethod.Get, $"/fhir/R4/Patient/{patient.Id}", access);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("not approved", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> PatientReadAsync(HttpClient client, string patientId, string accessToken)
    {
        using var request = OAuthSteps.Bearer(HttpMethod.Get, $"/fhir/R4/Patient/{patientId}", accessToken);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Records the text of every command sent while a step runs.</summary>
    public sealed class CommandRecorder : DbCommandInterceptor
    {
        private ConcurrentQueue<string>? _recording;

        public async Task<IReadOnlyList<string>> DuringAsync(Func<Task> step)
        {
            var recording = new ConcurrentQueue<string>();
            _recording = recording;
            try
            {
                await step();
            }
            finally
            {
                _recording = null;
            }

            return [.. recording];
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            _recording?.Enqueue(command.CommandText);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            _recording?.Enqueue(command.CommandText);
            return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            _recording?.Enqueue(command.CommandText);
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}
