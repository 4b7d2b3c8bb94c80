using EhrShare.Core.People;
using EhrShare.Core.Records;
using Hl7.Fhir.Model;

namespace EhrShare.Web.Api.Fhir;

/// <summary>EhrShare's patients and records as FHIR R4 resources.</summary>
public static class FhirMapping
{
    /// <summary>The identifier system of a patient's address (<c>AID-PID</c>).</summary>
    public const string AddressSystem = "urn:ehrshare:patient-address";

    /// <summary>The identifier system of a record's block hash, the SHA-256 anchored on the chain.</summary>
    public const string BlockHashSystem = "urn:ehrshare:block-sha256";

    /// <summary>The code system of a record's category (<c>lab-result</c>, <c>imaging</c>, ...), as the patient chose it.</summary>
    public const string CategorySystem = "urn:ehrshare:record-category";

    /// <summary>A patient; the name only where the caller may know it (the patient, or a doctor granted now).</summary>
    public static Patient Patient(PatientSummary patient, DateOnly? birthDate = null)
    {
        var resource = new Patient
        {
            Id = patient.UserId,
            Active = true,
            Identifier = [new Identifier(AddressSystem, patient.Address.ToString())],
        };
        if (patient.Name is { } name)
        {
            resource.Name = [new HumanName { Text = name }];
        }

        if (birthDate is { } born)
        {
            resource.BirthDate = born.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        }

        return resource;
    }

    /// <summary>One record: what it is (title, type, size, date, the hash anchored on the chain) and where its content
    /// is (<c>Binary/{id}</c>, read through the same decision and log as the pages).</summary>
    public static DocumentReference Document(RecordSummary record, string patientId, byte[]? blockHash)
    {
        var document = new DocumentReference
        {
            Id = record.Id.ToString(),
            Status = DocumentReferenceStatus.Current,
            Subject = new ResourceReference("Patient/" + patientId),
            Date = record.CreatedAt,
            Description = record.Title,
            Type = new CodeableConcept { Text = record.Title },
            Category = [Category(record.Category)],
            Content =
            [
                new DocumentReference.ContentComponent
                {
                    Attachment = new Attachment
                    {
                        ContentType = record.ContentType,
                        Url = "Binary/" + record.Id,
                        SizeUnsignedInt = checked((int)record.Size),
                        Title = record.FileName,
                        CreationElement = new FhirDateTime(record.CreatedAt),
                    },
                },
            ],
        };
        if (blockHash is not null)
        {
            document.Identifier = [new Identifier(BlockHashSystem, Convert.ToHexStringLower(blockHash))];
        }

        return document;
    }

    /// <summary>A record's category as DocumentReference.category: the app's own code and its label.</summary>
    public static CodeableConcept Category(RecordCategory category) =>
        new(CategorySystem, RecordCategories.Slug(category), RecordCategories.Label(category), RecordCategories.Label(category));

    public static Bundle SearchSet(string baseUrl, string selfUrl, IEnumerable<Resource> resources)
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Link = [new Bundle.LinkComponent { Relation = "self", Url = selfUrl }] };
        foreach (var resource in resources)
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = $"{baseUrl}/{resource.TypeName}/{resource.Id}",
                Resource = resource,
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
            });
        }

        bundle.Total = bundle.Entry.Count;
        return bundle;
    }
}
