using System.Text.Json;

namespace OpsAssistant.Benchmarks;

/// <summary>
/// Writes a deterministic OTLP/JSON trace of any size straight to a stream (a million spans never sit in memory as objects).
/// Shape: an 8-ary call tree across 24 services with sequential children, a few attributes per span, an exception event on
/// one errored span, and one planted culprit — <see cref="CulpritSpanId"/>, a leaf in <c>inventory-db</c> whose self time
/// dominates the trace — so benchmarks and tests can check that the root cause survives analysis and condensation.
/// </summary>
public static class LargeTraceGenerator
{
    public const string TraceId = "5a11ab1e5a11ab1e5a11ab1e5a11ab1e";
    public const string CulpritSpanId = "bad0c0de00000001";
    public const string CulpritService = "inventory-db";
    public const string CulpritOperation = "SELECT stock_levels";
    private const int FanOut = 8;
    private const long T0 = 1_764_000_000_000_000_000;

    private static readonly string[] Services =
    [
        "frontend", "checkout", "cart", "payment", "shipping", "email", "currency", "recommendation", "ad", "product-catalog",
        "quote", "accounting", "fraud-detection", "inventory", "user", "auth", "search", "pricing", "tax", "notification",
        "ledger", "session", "catalog-cache", "gateway",
    ];

    private static readonly string[] Operations = ["GET /api/items", "POST /api/orders", "grpc.Check", "redis GET", "kafka publish", "compute", "render", "SELECT items"];

    public static void Write(Stream output, int spanCount, int seed = 42)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(spanCount, 2);
        var random = new Random(seed);
        var self = new long[spanCount];
        var duration = new long[spanCount];
        var start = new long[spanCount];
        var service = new int[spanCount];
        var culprit = spanCount - 1;
        for (var i = 0; i < spanCount; i++)
        {
            self[i] = 50_000 + random.Next(0, 1_950_000);
            service[i] = i == 0 ? 0 : (random.Next(4) == 0 ? random.Next(1, Services.Length) : service[(i - 1) / FanOut]);
        }

        // The planted culprit costs as much as everything else together, so it is unambiguous at any size.
        self[culprit] = Math.Max(self.Sum(), 5_000_000_000);
        for (var i = spanCount - 1; i >= 0; i--)
        {
            duration[i] += self[i];
            if (i > 0)
            {
                duration[(i - 1) / FanOut] += duration[i];
            }
        }

        var cursor = new long[spanCount];
        start[0] = T0;
        cursor[0] = T0 + self[0] / 2;
        for (var i = 1; i < spanCount; i++)
        {
            var p = (i - 1) / FanOut;
            start[i] = cursor[p];
            cursor[p] += duration[i];
            cursor[i] = start[i] + self[i] / 2;
        }

        var errored = Math.Min(spanCount - 2, spanCount / 2);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        json.WriteStartObject();
        json.WriteStartArray("resourceSpans");
        for (var s = 0; s <= Services.Length; s++)
        {
            var name = s == Services.Length ? CulpritService : Services[s];
            json.WriteStartObject();
            json.WriteStartObject("resource");
            json.WriteStartArray("attributes");
            Attr(json, "service.name", name);
            Attr(json, "host.name", $"node-{s % 5}");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartArray("scopeSpans");
            json.WriteStartObject();
            json.WriteStartObject("scope");
            json.WriteString("name", "bench.generator");
            json.WriteEndObject();
            json.WriteStartArray("spans");
            for (var i = 0; i < spanCount; i++)
            {
                var inResource = i == culprit ? s == Services.Length : s < Services.Length && service[i] == s;
                if (!inResource)
                {
                    continue;
                }

                json.WriteStartObject();
                json.WriteString("traceId", TraceId);
                json.WriteString("spanId", i == culprit ? CulpritSpanId : SpanId(i));
                if (i > 0)
                {
                    json.WriteString("parentSpanId", SpanId((i - 1) / FanOut));
                }

                json.WriteString("name", i == culprit ? CulpritOperation : Operations[i % Operations.Length]);
                var remote = i > 0 && (i == culprit || service[i] != service[(i - 1) / FanOut]);
                json.WriteNumber("kind", i == 0 || remote ? 2 : 1);
                json.WriteString("startTimeUnixNano", start[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
                json.WriteString("endTimeUnixNano", (start[i] + duration[i]).ToString(System.Globalization.CultureInfo.InvariantCulture));
                json.WriteStartArray("attributes");
                Attr(json, "http.route", "/api/v1/items/{id}");
                Attr(json, "net.peer.port", 8080 + i % 7);
                if (i == culprit)
                {
                    Attr(json, "db.system", "postgresql");
                    Attr(json, "db.statement", "SELECT * FROM stock_levels WHERE sku = ANY($1)");
                }

                json.WriteEndArray();
                if (i == errored)
                {
                    json.WriteStartArray("events");
                    json.WriteStartObject();
                    json.WriteString("name", "exception");
                    json.WriteString("timeUnixNano", (start[i] + 1000).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    json.WriteStartArray("attributes");
                    Attr(json, "exception.type", "TimeoutException");
                    Attr(json, "exception.message", "retry succeeded after transient timeout");
                    json.WriteEndArray();
                    json.WriteEndObject();
                    json.WriteEndArray();
                }

                json.WriteStartObject("status");
                json.WriteNumber("code", i == culprit ? 2 : 0);
                json.WriteEndObject();
                json.WriteEndObject();
                if (json.BytesPending > 64 * 1024)
                {
                    json.Flush();
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
    }

    public static byte[] Generate(int spanCount, int seed = 42)
    {
        using var buffer = new MemoryStream();
        Write(buffer, spanCount, seed);
        return buffer.ToArray();
    }

    public static string SpanId(int index) => (0x1000_0000_0000_0000L + index).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    private static void Attr(Utf8JsonWriter json, string key, string value)
    {
        json.WriteStartObject();
        json.WriteString("key", key);
        json.WriteStartObject("value");
        json.WriteString("stringValue", value);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void Attr(Utf8JsonWriter json, string key, long value)
    {
        json.WriteStartObject();
        json.WriteString("key", key);
        json.WriteStartObject("value");
        json.WriteString("intValue", value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
