using System.Buffers;
using System.Globalization;
using System.Text.Json;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// Reads traces from JSON in any supported wire format, detected from content (never from a file name):
/// OTLP/JSON (<c>resourceSpans</c>), Tempo (<c>batches</c>, or the v2 <c>{"trace":...}</c> wrapper), Jaeger API v3
/// (<c>{"result":...}</c>), Jaeger query API v1 (<c>{"data":[...]}</c>, a bare trace object, or a bare span array)
/// and Zipkin v2 (an array of spans).
/// <para>
/// The input is read asynchronously once into pooled memory (so request bodies that forbid synchronous I/O work),
/// then parsed synchronously with <see cref="Utf8JsonReader"/>: no document tree, no DTO graph.
/// </para>
/// </summary>
public static class TraceReader
{
    internal const string ExpectedShapes =
        "expected OTLP/JSON (resourceSpans), Tempo (batches), Jaeger v1 (data[]), Jaeger v3 (result) or Zipkin v2 (array of spans)";

    /// <summary>Reads every trace in <paramref name="stream"/>, grouped by trace ID in order of first appearance.</summary>
    public static async Task<TraceReadResult> ReadAsync(Stream stream, TraceReadOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= TraceReadOptions.Default;
        options.Validate();
        using var input = await BufferedInput.ReadAsync(stream, ct).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return Parse(input.Sequence, options);
    }

    /// <summary>Reads every trace in a file.</summary>
    public static async Task<TraceReadResult> ReadFileAsync(string path, TraceReadOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            return await ReadAsync(stream, options, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Reads every trace in UTF-8 JSON already in memory (no copy is made).</summary>
    public static TraceReadResult Read(ReadOnlyMemory<byte> utf8Json, TraceReadOptions? options = null)
    {
        options ??= TraceReadOptions.Default;
        options.Validate();
        return Parse(new ReadOnlySequence<byte>(utf8Json), options);
    }

    /// <summary>
    /// Reads exactly one trace. With several traces in the input and no <paramref name="traceId"/>, throws
    /// <see cref="MultipleTracesException"/> listing them; a <paramref name="traceId"/> that is not there, or an input
    /// with no spans, is a <see cref="TraceFormatException"/>. 64-bit IDs match their zero-padded 128-bit form.
    /// </summary>
    public static async Task<Trace> ReadSingleAsync(Stream stream, string? traceId = null, TraceReadOptions? options = null, CancellationToken ct = default)
    {
        var result = await ReadAsync(stream, options, ct).ConfigureAwait(false);
        return Single(result, traceId);
    }

    /// <summary>Reads exactly one trace from a file (see <see cref="ReadSingleAsync(Stream, string?, TraceReadOptions?, CancellationToken)"/>).</summary>
    public static async Task<Trace> ReadSingleFileAsync(string path, string? traceId = null, TraceReadOptions? options = null, CancellationToken ct = default)
    {
        var result = await ReadFileAsync(path, options, ct).ConfigureAwait(false);
        return Single(result, traceId);
    }

    /// <summary>Picks one trace out of a read result, by the rules of <see cref="ReadSingleAsync(Stream, string?, TraceReadOptions?, CancellationToken)"/>.</summary>
    public static Trace Single(TraceReadResult result, string? traceId = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var name = FormatName(result.Format);
        if (result.Traces.Count == 0)
        {
            throw new TraceFormatException($"{name}: the input holds no spans");
        }

        if (traceId is null)
        {
            if (result.Traces.Count > 1)
            {
                throw new MultipleTracesException(result.Traces.Select(t => t.TraceId).ToArray());
            }

            return result.Traces[0];
        }

        foreach (var trace in result.Traces)
        {
            if (TraceIds.SameTrace(trace.TraceId, traceId))
            {
                return trace;
            }
        }

        throw new TraceFormatException(
            $"{name}: trace {traceId} is not in the input; it holds {string.Join(", ", result.Traces.Select(t => t.TraceId))}");
    }

    internal static string FormatName(TraceFormat format) => format switch
    {
        TraceFormat.OtlpJson => "OTLP/JSON",
        TraceFormat.Tempo => "Tempo",
        TraceFormat.JaegerV1 => "Jaeger v1",
        TraceFormat.JaegerV3 => "Jaeger v3",
        TraceFormat.ZipkinV2 => "Zipkin v2",
        _ => "JSON",
    };

    private static TraceReadResult Parse(ReadOnlySequence<byte> data, TraceReadOptions options)
    {
        var context = new ReadContext(options);
        data = SkipBom(data);
        var first = FirstNonWhitespace(data, out var offset);
        if (first < 0)
        {
            throw new TraceFormatException($"The input is empty (or only whitespace); {ExpectedShapes}") { ByteOffset = 0 };
        }

        if (first is not ('{' or '['))
        {
            throw new TraceFormatException(
                $"The input is not JSON: it starts with byte 0x{first.ToString("x2", CultureInfo.InvariantCulture)} at byte offset {offset.ToString(CultureInfo.InvariantCulture)}; {ExpectedShapes}")
            {
                ByteOffset = offset,
            };
        }

        var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = options.MaxDepth, CommentHandling = JsonCommentHandling.Skip });
        var format = TraceFormat.Unknown;
        try
        {
            reader.Read();
            format = reader.TokenType == JsonTokenType.StartArray ? ParseArray(ref reader, context) : ParseObject(ref reader, context);
            return new TraceReadResult(format, context.Collector.Build(format));
        }
        catch (JsonException ex)
        {
            var name = format == TraceFormat.Unknown ? context.FormatName : FormatName(format);
            var depth = ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase)
                ? $" (nesting deeper than TraceReadOptions.MaxDepth = {options.MaxDepth.ToString(CultureInfo.InvariantCulture)})"
                : "";
            throw new TraceFormatException(
                $"{name}: the JSON is malformed or truncated{depth} at line {((ex.LineNumber ?? 0) + 1).ToString(CultureInfo.InvariantCulture)}, " +
                $"byte {((ex.BytePositionInLine ?? 0) + 1).ToString(CultureInfo.InvariantCulture)} of that line: {ex.Message}",
                ex);
        }
    }

    private static TraceFormat ParseArray(ref Utf8JsonReader r, ReadContext context)
    {
        // A bare array is Zipkin v2, unless its spans use Jaeger's field names (the anonymizer's output).
        var look = r;
        var jaeger = false;
        if (look.Read() && look.TokenType == JsonTokenType.StartObject)
        {
            while (look.Read() && look.TokenType == JsonTokenType.PropertyName)
            {
                if (look.ValueTextEquals("spanID"u8) || look.ValueTextEquals("traceID"u8) || look.ValueTextEquals("operationName"u8))
                {
                    jaeger = true;
                    break;
                }

                if (look.ValueTextEquals("id"u8) || look.ValueTextEquals("traceId"u8))
                {
                    break;
                }

                look.Read();
                look.Skip();
            }
        }
        else if (look.TokenType is not (JsonTokenType.EndArray or JsonTokenType.StartObject))
        {
            throw context.Error($"an array of {ReadContext.Describe(look.TokenType)} values is no trace format; {ExpectedShapes}", look.TokenStartIndex, "$[0]");
        }

        if (jaeger)
        {
            context.FormatName = FormatName(TraceFormat.JaegerV1);
            new JaegerV1Parser(context, "$").ReadSpans(ref r, null, null);
            return TraceFormat.JaegerV1;
        }

        context.FormatName = FormatName(TraceFormat.ZipkinV2);
        new ZipkinV2Parser(context).ReadSpanArray(ref r);
        return TraceFormat.ZipkinV2;
    }

    private static TraceFormat ParseObject(ref Utf8JsonReader r, ReadContext context)
    {
        var format = Detect(r, context);
        context.FormatName = FormatName(format);
        switch (format)
        {
            case TraceFormat.JaegerV1 when IsBareJaegerTrace(r):
                new JaegerV1Parser(context, "$").ReadTrace(ref r);
                return format;
            case TraceFormat.JaegerV1:
                ReadJaegerEnvelope(ref r, context);
                return format;
            default:
                ReadOtlpEnvelope(ref r, context, format, "$");
                return format;
        }
    }

    /// <summary>Finds the first top-level key that identifies a format; the values of other keys are skipped.</summary>
    private static TraceFormat Detect(Utf8JsonReader look, ReadContext context)
    {
        var keys = new List<string>();
        while (look.Read() && look.TokenType == JsonTokenType.PropertyName)
        {
            if (look.ValueTextEquals("resourceSpans"u8))
            {
                return TraceFormat.OtlpJson;
            }

            if (look.ValueTextEquals("batches"u8) || look.ValueTextEquals("trace"u8))
            {
                return TraceFormat.Tempo;
            }

            if (look.ValueTextEquals("result"u8))
            {
                return TraceFormat.JaegerV3;
            }

            if (look.ValueTextEquals("data"u8) || look.ValueTextEquals("spans"u8) || look.ValueTextEquals("traceID"u8))
            {
                return TraceFormat.JaegerV1;
            }

            if (look.ValueTextEquals("error"u8))
            {
                // Jaeger API v3 reports failures as {"error":{"httpCode":404,"message":"..."}}.
                look.Read();
                var message = look.TokenType == JsonTokenType.StartObject ? FindString(look, "message"u8) : null;
                throw context.Error($"the input is an error response, not a trace: {message ?? "(no message)"}", look.TokenStartIndex, "$.error");
            }

            if (keys.Count < 10)
            {
                keys.Add(look.GetString() ?? "");
            }

            look.Read();
            look.Skip();
        }

        throw context.Error(
            $"unknown format: top-level keys [{string.Join(", ", keys)}]; {ExpectedShapes}",
            0,
            "$");
    }

    private static bool IsBareJaegerTrace(Utf8JsonReader look)
    {
        while (look.Read() && look.TokenType == JsonTokenType.PropertyName)
        {
            if (look.ValueTextEquals("data"u8))
            {
                return false;
            }

            if (look.ValueTextEquals("spans"u8) || look.ValueTextEquals("traceID"u8))
            {
                return true;
            }

            look.Read();
            look.Skip();
        }

        return false;
    }

    private static void ReadJaegerEnvelope(ref Utf8JsonReader r, ReadContext context)
    {
        string? errors = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("data"u8))
            {
                r.Read();
                new JaegerV1Parser(context, "$.data").ReadDataArray(ref r);
            }
            else if (r.ValueTextEquals("errors"u8))
            {
                r.Read();
                errors = ReadJaegerErrors(ref r);
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        if (errors is not null)
        {
            context.Collector.GlobalWarning("Jaeger reported errors: " + errors);
            if (context.Collector.Build(TraceFormat.JaegerV1).Count == 0)
            {
                throw context.Error($"the response holds no traces, only errors: {errors}", 0, "$.errors");
            }
        }
    }

    private static string? ReadJaegerErrors(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartArray)
        {
            r.Skip();
            return null;
        }

        var messages = new List<string>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType == JsonTokenType.StartObject)
            {
                messages.Add(FindString(r, "msg"u8) ?? "(no message)");
                r.Skip();
            }
            else
            {
                r.Skip();
            }
        }

        return messages.Count == 0 ? null : string.Join("; ", messages);
    }

    /// <summary>OTLP/JSON, Tempo (v1 and the v2 wrapper) and Jaeger v3 all carry OTLP resource spans under some key.</summary>
    private static void ReadOtlpEnvelope(ref Utf8JsonReader r, ReadContext context, TraceFormat format, string path)
    {
        context.ExpectObject(ref r, new FixedLocation(path), null);
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("resourceSpans"u8) || r.ValueTextEquals("batches"u8))
            {
                var key = r.ValueTextEquals("batches"u8) ? "batches" : "resourceSpans";
                r.Read();
                new OtlpJsonParser(context, $"{path}.{key}").ReadResourceSpansArray(ref r);
            }
            else if ((format == TraceFormat.Tempo && r.ValueTextEquals("trace"u8)) || (format == TraceFormat.JaegerV3 && r.ValueTextEquals("result"u8)))
            {
                var key = r.ValueTextEquals("trace"u8) ? "trace" : "result";
                r.Read();
                if (r.TokenType != JsonTokenType.Null)
                {
                    ReadOtlpEnvelope(ref r, context, format, $"{path}.{key}");
                }
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }
    }

    private static string? FindString(Utf8JsonReader look, ReadOnlySpan<byte> name)
    {
        while (look.Read() && look.TokenType == JsonTokenType.PropertyName)
        {
            var match = look.ValueTextEquals(name);
            look.Read();
            if (match && look.TokenType == JsonTokenType.String)
            {
                return look.GetString();
            }

            look.Skip();
        }

        return null;
    }

    private static ReadOnlySequence<byte> SkipBom(ReadOnlySequence<byte> data)
    {
        Span<byte> head = stackalloc byte[3];
        if (data.Length >= 3)
        {
            data.Slice(0, 3).CopyTo(head);
            if (head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
            {
                return data.Slice(3);
            }
        }

        return data;
    }

    private static int FirstNonWhitespace(ReadOnlySequence<byte> data, out long offset)
    {
        offset = 0;
        foreach (var segment in data)
        {
            var span = segment.Span;
            var index = span.IndexOfAnyExcept(" \t\r\n"u8);
            if (index >= 0)
            {
                offset += index;
                return span[index];
            }

            offset += span.Length;
        }

        return -1;
    }

    private sealed class FixedLocation(string path) : IJsonLocation
    {
        public string PathOf(string? field) => field is null ? path : path + "." + field;
    }
}
