using Google.Protobuf;
using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// Decodes an OTLP <c>ExportTraceServiceRequest</c> (also a <c>TracesData</c>: same layout) from protobuf bytes into the
/// format-neutral model. Written against the wire format by hand so the project carries no generated OTLP code; fields it
/// does not know are skipped, as protobuf readers must for forward compatibility.
/// </summary>
public static class OtlpProtobufReader
{
    /// <summary>How deep arrays and key/value lists may nest inside one attribute value.</summary>
    public const int MaxValueDepth = 32;

    /// <summary>Default cap on a payload read from a stream: far above any sane OTLP batch, well below memory trouble.</summary>
    public const int DefaultMaxPayloadBytes = 64 * 1024 * 1024;

    /// <summary>Decodes spans; every span of a resource shares one <see cref="Resource"/>, every span of a scope one <see cref="InstrumentationScope"/>.</summary>
    /// <exception cref="TraceFormatException">The bytes are not a well-formed OTLP trace request.</exception>
    public static IReadOnlyList<Span> Read(ReadOnlyMemory<byte> payload) => Read(payload, rejections: null);

    /// <summary>
    /// Decodes spans as <see cref="Read(ReadOnlyMemory{byte})"/> does, except that a span failing its own checks (an ID of
    /// the wrong length, a malformed span message) is left out and described in <paramref name="rejections"/> rather than
    /// failing the whole payload: what an OTLP receiver answering with partial success needs. A payload whose structure
    /// around the spans is malformed still throws.
    /// </summary>
    /// <exception cref="TraceFormatException">The bytes are not a well-formed OTLP trace request.</exception>
    public static IReadOnlyList<Span> Read(ReadOnlyMemory<byte> payload, ICollection<string>? rejections)
    {
        var spans = new List<Span>();
        try
        {
            using var input = OtlpWire.Open(payload);
            while (input.ReadTag() is var tag and not 0)
            {
                if (OtlpWire.Field(tag) == 1 && OtlpWire.IsLengthDelimited(tag))
                {
                    ReadResourceSpans(input.ReadBytes(), spans, rejections);
                }
                else
                {
                    input.SkipLastField();
                }
            }
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new TraceFormatException($"Malformed OTLP protobuf trace payload: {ex.Message}", ex);
        }

        return spans;
    }

    /// <summary>Reads the whole stream (at most <paramref name="maxPayloadBytes"/>) and decodes it.</summary>
    /// <exception cref="TraceFormatException">The payload is malformed or larger than the cap.</exception>
    public static async Task<IReadOnlyList<Span>> ReadAsync(Stream stream, int maxPayloadBytes = DefaultMaxPayloadBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxPayloadBytes)
            {
                throw new TraceFormatException($"OTLP protobuf payload is larger than {maxPayloadBytes} bytes.");
            }

            await buffer.WriteAsync(chunk.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }

        return Read(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }

    private static void ReadResourceSpans(ByteString message, List<Span> spans, ICollection<string>? rejections)
    {
        // Field order on the wire is not guaranteed: the resource may follow its spans, so spans are decoded last.
        IReadOnlyList<Attribute> resourceAttributes = AttributeValues.Empty;
        var scopeSpans = new List<(ByteString Message, bool Legacy)>();
        using var input = OtlpWire.Open(message);
        while (input.ReadTag() is var tag and not 0)
        {
            switch (OtlpWire.Field(tag))
            {
                case 1 when OtlpWire.IsLengthDelimited(tag):
                    resourceAttributes = ReadResource(input.ReadBytes());
                    break;
                case 2 when OtlpWire.IsLengthDelimited(tag):
                    scopeSpans.Add((input.ReadBytes(), false));
                    break;
                case 1000 when OtlpWire.IsLengthDelimited(tag):
                    // Deprecated instrumentation_library_spans: same layout as scope_spans, still sent by old SDKs.
                    scopeSpans.Add((input.ReadBytes(), true));
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        var serviceName = AttributeValues.FindString(resourceAttributes, "service.name") ?? Resource.UnknownService;
        var resource = new Resource(serviceName, resourceAttributes);
        foreach (var (scopeMessage, _) in scopeSpans)
        {
            ReadScopeSpans(scopeMessage, resource, spans, rejections);
        }
    }

    private static Attribute[] ReadResource(ByteString message)
    {
        List<ByteString>? attributes = null;
        using var input = OtlpWire.Open(message);
        while (input.ReadTag() is var tag and not 0)
        {
            if (OtlpWire.Field(tag) == 1 && OtlpWire.IsLengthDelimited(tag))
            {
                (attributes ??= []).Add(input.ReadBytes());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return OtlpValueReader.ReadKeyValues(attributes);
    }

    private static void ReadScopeSpans(ByteString message, Resource resource, List<Span> spans, ICollection<string>? rejections)
    {
        var scope = InstrumentationScope.Empty;
        var spanMessages = new List<ByteString>();
        using var input = OtlpWire.Open(message);
        while (input.ReadTag() is var tag and not 0)
        {
            switch (OtlpWire.Field(tag))
            {
                case 1 when OtlpWire.IsLengthDelimited(tag):
                    scope = ReadScope(input.ReadBytes());
                    break;
                case 2 when OtlpWire.IsLengthDelimited(tag):
                    spanMessages.Add(input.ReadBytes());
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        foreach (var spanMessage in spanMessages)
        {
            if (rejections is null)
            {
                spans.Add(OtlpSpanReader.ReadSpan(spanMessage, resource, scope));
                continue;
            }

            try
            {
                spans.Add(OtlpSpanReader.ReadSpan(spanMessage, resource, scope));
            }
            catch (Exception ex) when (ex is TraceFormatException or InvalidProtocolBufferException)
            {
                rejections.Add($"{resource.ServiceName}: {ex.Message}");
            }
        }
    }

    private static InstrumentationScope ReadScope(ByteString message)
    {
        string name = "";
        string? version = null;
        List<ByteString>? attributes = null;
        using var input = OtlpWire.Open(message);
        while (input.ReadTag() is var tag and not 0)
        {
            switch (OtlpWire.Field(tag))
            {
                case 1 when OtlpWire.IsLengthDelimited(tag):
                    name = input.ReadString();
                    break;
                case 2 when OtlpWire.IsLengthDelimited(tag):
                    version = input.ReadString();
                    break;
                case 3 when OtlpWire.IsLengthDelimited(tag):
                    (attributes ??= []).Add(input.ReadBytes());
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        var scopeAttributes = OtlpValueReader.ReadKeyValues(attributes);
        return new InstrumentationScope(name, string.IsNullOrEmpty(version) ? null : version, scopeAttributes.Length == 0 ? null : scopeAttributes);
    }
}
