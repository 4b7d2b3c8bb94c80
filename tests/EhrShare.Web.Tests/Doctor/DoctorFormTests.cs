using System.Net;
using EhrShare.Web.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EhrShare.Web.Tests.Doctor;

/// <summary>The doctor's forms: a bad address or reason comes back next to its field, and nothing is sent to the chain.</summary>
public sealed class DoctorFormTests(PeopleFixture people) : IClassFixture<PeopleFixture>
{
    [Theory]
    [InlineData("", "Enter the patient's address, like 3-127.")]
    [InlineData("3/127", "is not a patient address")]
    [InlineData("abc", "is not a patient address")]
    [InlineData("0-0", "is not a patient address")]
    [InlineData("999999-999999", "No patient has the address 999999-999999")]
    public async Task ARequestWithABadAddress_SaysWhy(string address, string message)
    {
        using var response = await people.As(Who.Doctor).SubmitAsync("/Doctor", new Dictionary<string, string> { ["Request.PatientAddress"] = address }, "RequestAccess");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await WebSession.ParseAsync(response);
        Assert.Contains(message, page.QuerySelector("[data-valmsg-for='Request.PatientAddress']")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(address, page.QuerySelector("#Request_PatientAddress")!.GetAttribute("value"));
    }

    [Theory]
    [InlineData("", "Surgery needs the history now", "Emergency.PatientAddress", "Enter the patient's address")]
    [InlineData("7/1", "Surgery needs the history now", "Emergency.PatientAddress", "is not a patient address")]
    [InlineData("999999-999998", "Surgery needs the history now", "Emergency.PatientAddress", "No patient has the address")]
    [InlineData(null, "", "Emergency.Reason", "Describe the emergency.")]
    [InlineData(null, "urgent", "Emergency.Reason", "Describe the emergency in 10 to 500 characters.")]
    [InlineData(null, "          ", "Emergency.Reason", "Describe the emergency")]
    public async Task AnEmergencyWithoutAValidAddressOrReason_SaysWhy_AndOpensNothing(string? address, string reason, string field, string message)
    {
        using var response = await people.As(Who.Doctor).SubmitAsync("/Doctor", new Dictionary<string, string>
        {
            ["Emergency.PatientAddress"] = address ?? people.Patient.Address!,
            ["Emergency.Reason"] = reason,
            ["confirmed"] = "true",
        }, "Emergency");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await WebSession.ParseAsync(response);
        Assert.Contains(message, page.QuerySelector($"[data-valmsg-for='{field}']")!.TextContent, StringComparison.Ordinal);
        using var scope = people.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<EhrShare.Infrastructure.Persistence.EhrDbContext>();
        Assert.False(await db.Emergencies.AnyAsync(e => e.DoctorUserId == people.Doctor.Id));
    }
}
