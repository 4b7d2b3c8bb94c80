using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace EhrShare.Core.Records.Content;

/// <summary>
/// FHIR JSON that the app wrote itself, with the Firely SDK's serializer, from a resource model: the content of an
/// upload whose FHIR was parsed before it was stored, such as the collection Bundle the FHIR API keeps of the
/// Observations a gateway posted (each one through the SDK's strict parse and EhrShare's checks, the Bundle around them
/// built by the API). The upload checks it as JSON (its size, UTF-8, one JSON value) but does not parse it as FHIR a
/// second time (docs/decisions/fhir-parsed-once.md). Only a resource that came through the strict parse, or was built
/// by the app from such ones, may be given here; bytes from anywhere else (a page upload, a file) are a plain stream
/// and get <see cref="CheckedContentStream"/>'s full check.
/// </summary>
public sealed class SerializedFhirResource : MemoryStream
{
    private static readonly BaseFhirJsonSerializer Serializer = new(ModelInfo.ModelInspector);

    private SerializedFhirResource(ArraySegment<byte> json)
        : base(json.Array!, json.Offset, json.Count, writable: false)
    {
    }

    /// <summary>The resource as FHIR JSON (UTF-8, no BOM), ready to read from its start.</summary>
    public static SerializedFhirResource Write(Resource resource)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Serializer.Serialize(resource, writer);
        }

        buffer.TryGetBuffer(out var json);
        return new SerializedFhirResource(json);
    }
}
