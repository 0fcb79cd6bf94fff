using OpsAssistant.Core.Model;
using Attribute = OpsAssistant.Core.Model.Attribute;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// Decodes an OTLP <c>ExportTraceServiceRequest</c> (also a <c>TracesData</c>: same layout) from protobuf bytes into the
/// format-neutral model. Written against the wire format by hand so the project carries no generated OTLP code; fields it
/// does not know are skipped, as protobuf readers must for forward compatibility. Nested messages are read in place
/// (<see cref="ProtobufWireReader"/>): decoding allocates the model and nothing of the payload's size.
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
        var scratch = new Scratch();
        var request = new ProtobufWireReader(payload.Span);
        while (request.Next())
        {
            if (request.IsLengthDelimited(1))
            {
                ReadResourceSpans(request.ReadMessage(), spans, rejections, scratch);
            }
            else
            {
                request.Skip();
            }
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

    private static void ReadResourceSpans(ProtobufWireReader message, List<Span> spans, ICollection<string>? rejections, Scratch scratch)
    {
        // Field order on the wire is not guaranteed: the resource may follow its spans, so it is found in a first pass
        // (the last one wins) and the spans are decoded in a second.
        var scopeSpans = message;
        IReadOnlyList<Attribute> resourceAttributes = AttributeValues.Empty;
        while (message.Next())
        {
            if (message.IsLengthDelimited(1))
            {
                resourceAttributes = OtlpValueReader.ReadKeyValues(message.ReadMessage(), 1, scratch);
            }
            else
            {
                message.Skip();
            }
        }

        var serviceName = AttributeValues.FindString(resourceAttributes, "service.name") ?? Resource.UnknownService;
        var resource = new Resource(serviceName, resourceAttributes);
        while (scopeSpans.Next())
        {
            // 1000: the deprecated instrumentation_library_spans, same layout as scope_spans, still sent by old SDKs.
            if (scopeSpans.IsLengthDelimited(2) || scopeSpans.IsLengthDelimited(1000))
            {
                ReadScopeSpans(scopeSpans.ReadMessage(), resource, spans, rejections, scratch);
            }
            else
            {
                scopeSpans.Skip();
            }
        }
    }

    private static void ReadScopeSpans(ProtobufWireReader message, Resource resource, List<Span> spans, ICollection<string>? rejections, Scratch scratch)
    {
        // The scope may follow its spans too (the last one wins): found first, spans decoded in a second pass.
        var spanFields = message;
        var scope = InstrumentationScope.Empty;
        while (message.Next())
        {
            if (message.IsLengthDelimited(1))
            {
                scope = ReadScope(message.ReadMessage(), scratch);
            }
            else
            {
                message.Skip();
            }
        }

        while (spanFields.Next())
        {
            if (!spanFields.IsLengthDelimited(2))
            {
                spanFields.Skip();
                continue;
            }

            var span = spanFields.ReadMessage();
            if (rejections is null)
            {
                spans.Add(OtlpSpanReader.ReadSpan(span, resource, scope, scratch));
                continue;
            }

            try
            {
                spans.Add(OtlpSpanReader.ReadSpan(span, resource, scope, scratch));
            }
            catch (TraceFormatException ex)
            {
                rejections.Add($"{resource.ServiceName}: {ex.Message}");
            }
        }
    }

    private static InstrumentationScope ReadScope(ProtobufWireReader message, Scratch scratch)
    {
        var attributeFields = message;
        string name = "";
        string? version = null;
        var hasAttributes = false;
        while (message.Next())
        {
            switch (message.Field)
            {
                case 1 when message.WireType == ProtobufWireReader.LengthDelimited:
                    name = message.ReadString(scratch.Strings);
                    break;
                case 2 when message.WireType == ProtobufWireReader.LengthDelimited:
                    version = message.ReadString(scratch.Strings);
                    break;
                default:
                    hasAttributes |= message.IsLengthDelimited(3);
                    message.Skip();
                    break;
            }
        }

        var scopeAttributes = hasAttributes ? OtlpValueReader.ReadKeyValues(attributeFields, 3, scratch) : AttributeValues.Empty;
        return new InstrumentationScope(name, string.IsNullOrEmpty(version) ? null : version, scopeAttributes.Length == 0 ? null : scopeAttributes);
    }

    /// <summary>What one decode reuses from span to span: the list attributes gather in, the strings read, the last trace ID's text.</summary>
    internal sealed class Scratch
    {
        private UInt128 _traceId;
        private string? _traceIdHex;

        public List<Attribute> Attributes { get; } = [];

        public StringPool Strings { get; } = new();

        /// <summary>The lower-case hex of a 16-byte trace ID; a batch's spans mostly share a few, so the last one's string is reused.</summary>
        public string TraceIdHex(ReadOnlySpan<byte> traceId)
        {
            var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(traceId);
            if (_traceIdHex is null || value != _traceId)
            {
                (_traceId, _traceIdHex) = (value, TraceIds.ToHex(traceId));
            }

            return _traceIdHex;
        }
    }
}
