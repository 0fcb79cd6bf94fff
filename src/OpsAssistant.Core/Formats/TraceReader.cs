using System.Buffers;
using System.Text.Json;
using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Formats;

/// <summary>
/// Reads traces in every supported JSON wire format, detected from content: OTLP/JSON (<c>resourceSpans</c>), Tempo
/// (<c>batches</c>, or the v2 <c>trace</c> wrapper), Jaeger API v3 (<c>result</c>), Jaeger query API v1 (<c>data</c> or a
/// bare trace) and Zipkin v2 (an array of spans). The input is read once into a pooled buffer and parsed with
/// <see cref="Utf8JsonReader"/>, so a 100 MB file costs one copy of its bytes plus the model.
/// </summary>
public static class TraceReader
{
    public const string ExpectedFormats =
        "expected OTLP/JSON (resourceSpans), Tempo (batches), Jaeger v1 (data[] or a trace object), Jaeger v3 (result) or Zipkin v2 (an array of spans)";

    public static async Task<TraceReadResult> ReadAsync(Stream stream, TraceReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= TraceReadOptions.Default;
        var (buffer, length) = await ReadAllAsync(stream, options.MaxBytes, cancellationToken).ConfigureAwait(false);
        try
        {
            return Read(buffer.AsSpan(0, length), options);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static async Task<Trace> ReadSingleAsync(Stream stream, string? traceId = null, TraceReadOptions? options = null, CancellationToken cancellationToken = default) =>
        Single(await ReadAsync(stream, options, cancellationToken).ConfigureAwait(false), traceId);

    public static async Task<TraceReadResult> ReadFileAsync(string path, TraceReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return await ReadAsync(file, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Picks one trace: the one named, or the only one; several without a name is an error listing them.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "Named for its LINQ namesake: exactly one trace, or an error.")]
    public static Trace Single(TraceReadResult result, string? traceId)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Traces.Count == 0)
        {
            throw new TraceFormatException($"The input is valid {result.Format} but holds no spans.");
        }

        if (!string.IsNullOrWhiteSpace(traceId))
        {
            return result.Traces.FirstOrDefault(t => TraceIds.SameTrace(t.TraceId, traceId))
                ?? throw new TraceFormatException($"Trace {traceId} is not in the input; it holds {string.Join(", ", result.Traces.Take(20).Select(t => t.TraceId))}.");
        }

        return result.Traces.Count == 1 ? result.Traces[0] : throw new MultipleTracesException([.. result.Traces.Select(t => t.TraceId)]);
    }

    public static TraceReadResult Read(ReadOnlySpan<byte> utf8, TraceReadOptions? options = null)
    {
        options ??= TraceReadOptions.Default;
        if (utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            utf8 = utf8[3..];
        }

        if (utf8.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw new TraceFormatException($"The input is empty; {ExpectedFormats}.");
        }

        // Every supported format is a JSON object or array; say so plainly rather than quote a tokenizer error.
        var first = utf8.TrimStart(" \t\r\n"u8)[0];
        if (first is not ((byte)'{' or (byte)'['))
        {
            throw new TraceFormatException(
                $"The input is not a JSON object or array (it starts with byte 0x{first:x2} at offset {utf8.Length - utf8.TrimStart(" \t\r\n"u8).Length}); {ExpectedFormats}.");
        }

        var ctx = new JsonParseContext(options);
        ctx.ExpectBytes(utf8.Length);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            MaxDepth = options.MaxDepth,
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        TraceFormat format;
        try
        {
            format = ReadDocument(ref reader, ctx);
        }
        catch (JsonException ex)
        {
            throw new TraceFormatException(Describe(ex, options), ex);
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("token", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("UTF-", StringComparison.Ordinal))
        {
            // System.Text.Json reports text that is not UTF-8 (or an escaped lone surrogate) only when a string is decoded.
            throw new TraceFormatException("Malformed JSON: " + ex.Message, ex);
        }

        return new TraceReadResult(format, Group(ctx, format));
    }

    private static TraceFormat ReadDocument(ref Utf8JsonReader reader, JsonParseContext ctx)
    {
        JsonParseContext.Read(ref reader);
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            // An array is Zipkin v2, unless its spans are Jaeger's (the Jaeger anonymizer and some exporters write bare span arrays).
            if (FirstElementHasProperty(reader, "operationName"u8))
            {
                var spans = new JaegerTraceDraft();
                JaegerJsonParser.ReadSpanArrayElements(ref reader, ctx, spans);
                spans.Emit(ctx);
                return TraceFormat.JaegerV1;
            }

            ZipkinJsonParser.ReadArray(ref reader, ctx);
            return TraceFormat.ZipkinV2;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new TraceFormatException($"The input is a bare JSON {reader.TokenType.ToString().ToLowerInvariant()}, not a trace; {ExpectedFormats}.");
        }

        var format = TraceFormat.Unknown;
        JaegerTraceDraft? bare = null;
        while (JsonParseContext.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("resourceSpans"u8))
            {
                OtlpJsonParser.ReadResourceSpansArray(ref reader, ctx, "resourceSpans");
                format = Pick(format, TraceFormat.OtlpJson);
            }
            else if (reader.ValueTextEquals("batches"u8))
            {
                OtlpJsonParser.ReadResourceSpansArray(ref reader, ctx, "batches");
                format = Pick(format, TraceFormat.Tempo);
            }
            else if (reader.ValueTextEquals("result"u8))
            {
                ReadWrapped(ref reader, ctx, "result");
                format = Pick(format, TraceFormat.JaegerV3);
            }
            else if (reader.ValueTextEquals("trace"u8))
            {
                ReadWrapped(ref reader, ctx, "trace");
                format = Pick(format, TraceFormat.Tempo);
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                JaegerJsonParser.ReadDataArray(ref reader, ctx);
                format = Pick(format, TraceFormat.JaegerV1);
            }
            else if (reader.ValueTextEquals("spans"u8) || reader.ValueTextEquals("processes"u8))
            {
                bare ??= new JaegerTraceDraft();
                JaegerJsonParser.ReadTraceProperty(ref reader, ctx, bare);
                format = Pick(format, TraceFormat.JaegerV1);
            }
            else
            {
                JsonParseContext.SkipValue(ref reader);
            }
        }

        bare?.Emit(ctx);
        if (format == TraceFormat.Unknown)
        {
            throw new TraceFormatException($"Unknown trace format: the JSON object has none of the expected top-level fields; {ExpectedFormats}.");
        }

        return format;
    }

    /// <summary>Looks ahead on a copy of the reader (a struct), so the real reader still starts at the array.</summary>
    private static bool FirstElementHasProperty(Utf8JsonReader probe, ReadOnlySpan<byte> name)
    {
        if (!probe.Read() || probe.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (probe.Read() && probe.TokenType == JsonTokenType.PropertyName)
        {
            if (probe.ValueTextEquals(name))
            {
                return true;
            }

            if (!probe.Read() || !probe.TrySkip())
            {
                return false;
            }
        }

        return false;
    }

    private static void ReadWrapped(ref Utf8JsonReader reader, JsonParseContext ctx, string field)
    {
        if (!JsonParseContext.StartObject(ref reader, field))
        {
            return;
        }

        while (JsonParseContext.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("resourceSpans"u8) || reader.ValueTextEquals("batches"u8))
            {
                OtlpJsonParser.ReadResourceSpansArray(ref reader, ctx, field + ".resourceSpans");
            }
            else
            {
                JsonParseContext.SkipValue(ref reader);
            }
        }
    }

    private static TraceFormat Pick(TraceFormat current, TraceFormat found) => current == TraceFormat.Unknown ? found : current;

    /// <summary>
    /// Groups spans by trace in order of first appearance. A span ID seen twice in one trace: an exact repeat (same name and
    /// timing) is dropped; a different span that reuses the ID is kept under a derived ID, so no recorded work is lost.
    /// </summary>
    private static List<Trace> Group(JsonParseContext ctx, TraceFormat format)
    {
        // The usual file, one trace whose span IDs the reader has proven distinct, needs no grouping at all.
        var distinct = ctx.SpanIdsKnownDistinct();
        if (distinct && ctx.OneTraceId)
        {
            return [new Trace(ctx.Spans[0].TraceId, ctx.Spans.ToArray(), format, [.. ctx.Warnings])];
        }

        var order = new List<string>();
        var byTrace = new Dictionary<string, TraceGroup>(StringComparer.Ordinal);
        string? lastId = null;
        TraceGroup? group = null;
        foreach (var span in ctx.Spans)
        {
            // Spans of one trace arrive together and share one interned ID string: most need no lookup at all.
            if (ReferenceEquals(span.TraceId, lastId))
            {
                group!.Add(span);
                continue;
            }

            lastId = span.TraceId;
            if (!byTrace.TryGetValue(span.TraceId, out group))
            {
                // A file is usually one trace: when the last span belongs to the first span's trace, that group is sized
                // for every span up front instead of growing its index and list step by step.
                group = order.Count == 0 && ctx.Spans[^1].TraceId == span.TraceId ? new TraceGroup(ctx.Spans.Count, distinct) : new TraceGroup(0, distinct);
                byTrace[span.TraceId] = group;
                order.Add(span.TraceId);
            }

            group.Add(span);
        }

        return order.Select(id =>
        {
            var group = byTrace[id];
            var warnings = new List<string>(ctx.Warnings);
            if (group.Repeats > 0)
            {
                warnings.Add($"{group.Repeats} span(s) were exact repeats of an earlier span and were dropped.");
            }

            warnings.AddRange(group.Renamed.Take(10).Select(r => $"Span ID {r.Original} was used by two different spans; the later one ({r.Name}) is kept as {r.NewId}."));
            return new Trace(id, group.Spans, format, warnings);
        }).ToList();
    }

    private static string Describe(JsonException ex, TraceReadOptions options)
    {
        var where = ex.LineNumber is { } line ? $" at line {line + 1}, byte {ex.BytePositionInLine}" : "";
        if (ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase))
        {
            return $"The JSON nests deeper than {options.MaxDepth} levels{where}; no trace format nests that deep.";
        }

        var reason = ex.Message.Split(" LineNumber", 2)[0].TrimEnd('.');
        return $"Malformed JSON{where}: {reason}.";
    }

    private static async Task<(byte[] Buffer, int Length)> ReadAllAsync(Stream stream, long maxBytes, CancellationToken cancellationToken)
    {
        var capacity = stream.CanSeek ? (int)Math.Clamp(stream.Length - stream.Position + 1, 1, Math.Min(maxBytes + 1, Array.MaxLength)) : 1 << 16;
        var buffer = ArrayPool<byte>.Shared.Rent(capacity);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length >= maxBytes)
                    {
                        throw new TraceFormatException($"The input is larger than {maxBytes:N0} bytes, the configured maximum.");
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, Array.MaxLength));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer, length);
                }

                length += read;
                if (length > maxBytes)
                {
                    throw new TraceFormatException($"The input is larger than {maxBytes:N0} bytes, the configured maximum.");
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
