using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpsAssistant.Core.Tests.Hardening;

/// <summary>
/// Turns real, valid inputs into hostile ones. Byte-level mutations know nothing of JSON; JSON-level ones parse the seed
/// and replace one value at a time, so they reach the readers' field handling rather than the tokenizer.
/// </summary>
internal static class Mutations
{
    /// <summary>Every prefix of a small input; about <paramref name="maxCuts"/> evenly spread prefixes of a large one.</summary>
    public static IEnumerable<byte[]> Truncations(byte[] seed, int maxCuts = 600)
    {
        var step = Math.Max(1, seed.Length / maxCuts);
        for (var length = 0; length < seed.Length; length += step)
        {
            yield return seed[..length];
        }
    }

    public static byte[] FlipBits(byte[] seed, Random random, int flips)
    {
        var copy = (byte[])seed.Clone();
        for (var i = 0; i < flips && copy.Length > 0; i++)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        }

        return copy;
    }

    /// <summary>Bytes that matter to a JSON or protobuf reader: structure, quotes, escapes, NUL, invalid UTF-8 leads.</summary>
    private static readonly byte[] Interesting = "{}[]\",:\\-.0eE\n"u8.ToArray().Concat(new byte[] { 0x00, 0x7F, 0x80, 0xC0, 0xC3, 0xED, 0xF8, 0xFF, 0x08, 0x0A, 0x12, 0x0B, 0x0C }).ToArray();

    public static byte[] ReplaceByte(byte[] seed, Random random)
    {
        var copy = (byte[])seed.Clone();
        if (copy.Length > 0)
        {
            copy[random.Next(copy.Length)] = Interesting[random.Next(Interesting.Length)];
        }

        return copy;
    }

    /// <summary>Inserts bytes that are not UTF-8 (or are escaped lone surrogates) right after a quote, inside a string.</summary>
    public static byte[] InsertInvalidText(byte[] seed, Random random)
    {
        byte[][] payloads =
        [
            [0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xE2, 0x82],
            "\\uD800"u8.ToArray(), "\\uDC00x"u8.ToArray(), "\\u12"u8.ToArray(), "\\x"u8.ToArray(), [0x00], "\\uD83D\\u0041"u8.ToArray(),
        ];
        var quotes = Enumerable.Range(0, seed.Length).Where(i => seed[i] == (byte)'"').ToArray();
        var at = quotes.Length == 0 ? random.Next(seed.Length + 1) : quotes[random.Next(quotes.Length)] + 1;
        var payload = payloads[random.Next(payloads.Length)];
        return [.. seed[..at], .. payload, .. seed[at..]];
    }

    /// <summary>Values of every JSON type and the edge values of each: what a wrong-typed or out-of-range field looks like.</summary>
    public static readonly string[] HostileValues =
    [
        "\"text\"", "\"\"", "0", "-1", "1.5", "1e400", "-1e400", "9223372036854775807", "-9223372036854775808", "18446744073709551616",
        "99999999999999999999999999999", "\"NaN\"", "\"Infinity\"", "\"-5\"", "\"99999999999999999999999\"", "\"0x1F\"", "{}", "[]", "[{}]",
        "{\"a\":[1,{\"b\":null}]}", "null", "true", "false", "\"\\uD800\"", "\"zz\"", "[[[[[[[[]]]]]]]]", "\"AAAAAAAAAAEAAAAAAAAAAg==\"",
    ];

    /// <summary>Timestamps and durations a broken or hostile exporter might send.</summary>
    public static readonly string[] HostileTimes =
    [
        "\"NaN\"", "-1", "\"-5\"", "1e308", "\"99999999999999999999999\"", "9223372036854775807", "-9223372036854775808",
        "18446744073709551615", "1.5", "\"\"", "\"abc\"", "0", "\"2024-01-01T00:00:00Z\"", "-0", "4.9e-324",
    ];

    /// <summary>Replaces the value at one node (chosen by <paramref name="index"/> over a pre-order walk) with raw JSON.</summary>
    public static byte[]? ReplaceValue(JsonNode root, int index, string rawJson)
    {
        var copy = root.DeepClone();
        var target = Walk(copy).Skip(index % Math.Max(1, Walk(copy).Count())).FirstOrDefault();
        if (target is null || ReferenceEquals(target, copy))
        {
            return null;
        }

        ReplaceRaw(copy, target, rawJson, out var text);
        return text;
    }

    /// <summary>Replaces every property whose name matches with raw JSON (all timestamps at once, all IDs at once, ...).</summary>
    public static byte[] ReplaceProperties(JsonNode root, Func<string, bool> name, string rawJson)
    {
        var copy = root.DeepClone();
        const string marker = "\"__hostile_value_marker__\"";
        foreach (var node in Walk(copy).ToList())
        {
            if (node.Parent is JsonObject parent && name(node.GetPropertyName()))
            {
                parent[node.GetPropertyName()] = JsonValue.Create("__hostile_value_marker__");
            }
        }

        return Encoding.UTF8.GetBytes(copy.ToJsonString().Replace(marker, rawJson, StringComparison.Ordinal));
    }

    /// <summary>Every node (values, objects, arrays) in pre-order.</summary>
    public static IEnumerable<JsonNode> Walk(JsonNode? node)
    {
        if (node is null)
        {
            yield break;
        }

        yield return node;
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (var child in children)
        {
            foreach (var inner in Walk(child))
            {
                yield return inner;
            }
        }
    }

    /// <summary>
    /// Rewrites span IDs so spans collide or form parent cycles: all spans share one ID, every span is its own parent, or
    /// span i's parent is span i+1 (a ring). Works across OTLP (spanId/parentSpanId), Jaeger (spanID/references) and Zipkin (id/parentId).
    /// </summary>
    public static byte[] RewireIds(JsonNode root, string mode)
    {
        var copy = root.DeepClone();
        var spans = Walk(copy).OfType<JsonObject>().Where(o => SpanIdKey(o) is not null).ToList();
        for (var i = 0; i < spans.Count; i++)
        {
            var span = spans[i];
            var idKey = SpanIdKey(span)!;
            var own = span[idKey]?.ToString() ?? "";
            var next = spans[(i + 1) % spans.Count][SpanIdKey(spans[(i + 1) % spans.Count])!]?.ToString() ?? "";
            switch (mode)
            {
                case "duplicate":
                    span[idKey] = spans[0][SpanIdKey(spans[0])!]?.DeepClone();
                    break;
                case "self-parent":
                    SetParent(span, idKey, own);
                    break;
                case "ring":
                    SetParent(span, idKey, next);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(mode), mode, null);
            }
        }

        return Encoding.UTF8.GetBytes(copy.ToJsonString());
    }

    private static string? SpanIdKey(JsonObject o) =>
        o.ContainsKey("spanId") && (o.ContainsKey("name") || o.ContainsKey("traceId")) ? "spanId"
        : o.ContainsKey("spanID") && o.ContainsKey("operationName") ? "spanID"
        : o.ContainsKey("id") && o.ContainsKey("traceId") ? "id"
        : null;

    private static void SetParent(JsonObject span, string idKey, string parent)
    {
        switch (idKey)
        {
            case "spanId":
                span["parentSpanId"] = parent;
                break;
            case "spanID":
                span["references"] = new JsonArray(new JsonObject { ["refType"] = "CHILD_OF", ["traceID"] = span["traceID"]?.DeepClone(), ["spanID"] = parent });
                break;
            default:
                span["parentId"] = parent;
                break;
        }
    }

    /// <summary>Wraps the whole valid document's first span list entry in 10k levels of arrays.</summary>
    public static byte[] DeepNesting(int depth, string open = "[", string close = "]") =>
        Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(open, depth)) + string.Concat(Enumerable.Repeat(close, depth)));

    public static JsonNode? TryParse(byte[] seed)
    {
        try
        {
            return JsonNode.Parse(seed, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void ReplaceRaw(JsonNode root, JsonNode target, string rawJson, out byte[] text)
    {
        const string marker = "__hostile_value_marker__";
        var replacement = JsonValue.Create(marker);
        switch (target.Parent)
        {
            case JsonObject o:
                o[target.GetPropertyName()] = replacement;
                break;
            case JsonArray a:
                a[target.GetElementIndex()] = replacement;
                break;
        }

        text = Encoding.UTF8.GetBytes(root.ToJsonString().Replace("\"" + marker + "\"", rawJson, StringComparison.Ordinal));
    }
}
