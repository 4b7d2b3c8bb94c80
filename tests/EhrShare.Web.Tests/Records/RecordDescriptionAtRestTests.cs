using System.Text;
using EhrShare.Core.Records;
using EhrShare.Testing;
using EhrShare.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;

namespace EhrShare.Web.Tests.Records;

/// <summary>Titles, notes and file names are health data: the app database keeps them only encrypted.</summary>
public sealed class RecordDescriptionAtRestTests(EhrAppFixture fixture) : IClassFixture<EhrAppFixture>
{
    private EhrAppFactory App => fixture.App;

    [Fact]
    public async Task ADumpOfTheAppDatabase_ShowsNoTitleNotesOrFileName_WhileThePatientsListShowsThem()
    {
        var patient = await World.ApprovedPatientAsync(App);
        var marker = Guid.NewGuid().ToString("N")[..12];
        var description = new RecordDescription($"HIV test {marker}", $"Positive; seen by oncology {marker}", $"hiv-{marker}.pdf");
        await using (var scope = App.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<UploadRecord>().ExecuteAsync(
                new UploadRequest(patient.Id, description.Title, description.Notes, description.FileName, "application/pdf", new MemoryStream("%PDF-1.7 a"u8.ToArray())),
                CancellationToken.None);
        }

        using var session = await RecordSteps.SignedInAsync(App, patient);
        var page = await session.Client.GetStringAsync("/Patient");
        Assert.Contains(description.Title, page, StringComparison.Ordinal);
        Assert.Contains(description.Notes!, page, StringComparison.Ordinal);

        var dump = await DumpAsync();
        Assert.True(dump.Length > 10_000, "The dump should hold the test database's rows.");
        Assert.DoesNotContain(marker, dump, StringComparison.Ordinal);
    }

    /// <summary>Every cell of every table of the app database, text as text and binary read as Latin-1 (so ASCII shows).</summary>
    private static async Task<string> DumpAsync()
    {
        await using var connection = new MySqlConnection(TestStack.AppDbConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new MySqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var dump = new StringBuilder();
        foreach (var table in tables)
        {
            await using var select = new MySqlCommand($"SELECT * FROM `{table}`", connection);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    dump.Append(reader.IsDBNull(i) ? "" : reader.GetValue(i) switch
                    {
                        byte[] bytes => Encoding.Latin1.GetString(bytes),
                        var value => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
                    }).Append('\t');
                }

                dump.Append('\n');
            }
        }

        return dump.ToString();
    }
}
