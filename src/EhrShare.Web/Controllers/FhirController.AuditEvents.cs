using System.Globalization;
using EhrShare.Core.Access;
using EhrShare.Core.Common;
using EhrShare.Web.Api.Fhir;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace EhrShare.Web.Controllers;

/// <summary>
/// AuditEvent: a patient's own access history (reads allowed and denied, emergencies, requests, grants, denials,
/// revocations, records added and removed) from the chain index, the same entries as the History page, newest first,
/// in pages of <see cref="AccessHistory.PageSize"/> with <c>next</c>/<c>previous</c> links.
/// </summary>
public sealed partial class FhirController
{
    /// <summary>The paging parameter the Bundle's links carry (a page of the history, from 1).</summary>
    public const string PageParameter = "_page";

    [HttpGet("AuditEvent")]
    public Task<IActionResult> SearchAuditEvents([FromServices] AccessHistory history) => ReadingAsync(async caller =>
    {
        Refuse(Request.Query.Keys.Except(["patient", "date", PageParameter]));
        if (!caller.IsPatient)
        {
            throw new ForbiddenException("AuditEvent is a patient's own access history: only the patient's token reads it.");
        }

        if (PatientParameter(caller) != caller.UserId)
        {
            throw new ForbiddenException("A patient's token reads only that patient's access history.");
        }

        var filter = AuditDateFilter(DateParameters());
        var page = 1;
        if (Request.Query.TryGetValue(PageParameter, out var pages)
            && (pages.Count != 1 || !int.TryParse(pages[0], NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 1))
        {
            throw new ValidationFailedException($"{PageParameter} must be one page number from 1.", PageParameter);
        }

        var found = await history.ForPatientAsync(caller.UserId!, page, filter, HttpContext.RequestAborted);
        var bundle = FhirMapping.SearchSet(BaseUrl, PageUrl(found.Page), AuditEventMapping.Map(found.Entries, caller.UserId!));
        bundle.Total = found.Total;
        bundle.Link.Add(new Bundle.LinkComponent { Relation = "first", Url = PageUrl(1) });
        if (found.Page > 1)
        {
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "previous", Url = PageUrl(found.Page - 1) });
        }

        if (found.Page < found.PageCount)
        {
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = PageUrl(found.Page + 1) });
        }

        bundle.Link.Add(new Bundle.LinkComponent { Relation = "last", Url = PageUrl(found.PageCount) });
        return new FhirResult(bundle);
    });

    /// <summary>FHIR date searches as one range of instants (every one must match: their intersection). <c>ne</c> would
    /// need two ranges and is refused.</summary>
    private static HistoryFilter AuditDateFilter(IEnumerable<DateSearch> dates)
    {
        DateTimeOffset? since = null, before = null;
        foreach (var date in dates)
        {
            (DateTimeOffset? From, DateTimeOffset? To) range = date.Prefix switch
            {
                "eq" => (date.Start, date.End),
                "ge" => (date.Start, null),
                "gt" => (date.End, null),
                "le" => (null, date.End),
                "lt" => (null, date.Start),
                _ => throw new ValidationFailedException("date: AuditEvent takes eq, ge, gt, le and lt (not ne).", "date"),
            };
            if (range.From is { } f && (since is null || f > since))
            {
                since = f;
            }

            if (range.To is { } t && (before is null || t < before))
            {
                before = t;
            }
        }

        return new HistoryFilter { Since = since, Before = before };
    }

    private string PageUrl(int page)
    {
        var query = Request.Query.Where(q => q.Key != PageParameter).SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)));
        return QueryHelpers.AddQueryString($"{BaseUrl}/AuditEvent", query.Append(new(PageParameter, page.ToString(CultureInfo.InvariantCulture))));
    }
}
