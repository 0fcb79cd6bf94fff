using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpsAssistant.Server.Tests.Hardening;

/// <summary>
/// Twelve kinds of secret as careless services record them, planted in one trace's span names, status messages, attributes
/// and events, and the check that none of them appears in an output. <see cref="Text"/> is how the secret appears in the
/// trace; <see cref="Value"/> is what must never leave (the secret without its key or scheme).
/// </summary>
internal static class PlantedSecrets
{
    public const string TraceId = "5ec2e75ec2e75ec2e75ec2e75ec2e75e";

    public static readonly (string Kind, string Text, string Value)[] Kinds =
    [
        ("bearer token", "Authorization: Bearer 9f8e7d6c5b4a3f2e1d0cBEARER", "9f8e7d6c5b4a3f2e1d0cBEARER"),
        ("basic auth", "Authorization: Basic YWRtaW46YmFzaWMtYXV0aC1wYXNz", "YWRtaW46YmFzaWMtYXV0aC1wYXNz"),
        ("AWS access key ID", "key AKIAZ7QW3ERT5YUI8OPA used", "AKIAZ7QW3ERT5YUI8OPA"),
        ("AWS secret", "aws_secret_access_key=Zq9xW8vU7tS6rQ5pO4nM3lK2jI1hG0fE9dC8bA7z", "Zq9xW8vU7tS6rQ5pO4nM3lK2jI1hG0fE9dC8bA7z"),
        ("GitHub token", "cloned with ghp_Xy7Wv6Ut5Sr4Qp3On2Ml1Kj0Ih9Gf8Ed7Cb6", "ghp_Xy7Wv6Ut5Sr4Qp3On2Ml1Kj0Ih9Gf8Ed7Cb6"),
        ("OpenAI-style key", "llm key sk-Proj4Zq8vN3xY5wR2tL6mK9pJ1hG7fD", "sk-Proj4Zq8vN3xY5wR2tL6mK9pJ1hG7fD"),
        ("JWT", "session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkLWp3dCJ9.c2lnbmF0dXJlLW9mLXRoZS1qd3Q",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkLWp3dCJ9.c2lnbmF0dXJlLW9mLXRoZS1qd3Q"),
        ("password=", "login password=Tr0ub4dor-and-3 failed", "Tr0ub4dor-and-3"),
        ("access_token query parameter", "GET /token?access_token=at-8c1f0e9d7b6a5c4dQP&x=1", "at-8c1f0e9d7b6a5c4dQP"),
        ("api_key query parameter", "GET /v2/geo?city=x&api_key=ak4d5e6f7a8b9c0d1eQP", "ak4d5e6f7a8b9c0d1eQP"),
        ("private key PEM", "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAplantedPemBodyLine0\n-----END RSA PRIVATE KEY-----", "MIIEpAIBAAKCAQEAplantedPemBodyLine0"),
        ("connection string Password=", "Server=db;Database=shop;User Id=sa;Password=C0nnStr-Pa55word;", "C0nnStr-Pa55word"),
    ];

    /// <summary>Every secret's text, one after another: what a model echoing the trace back would write.</summary>
    public static string AllTexts(string separator) => string.Join(separator, Kinds.Select(k => k.Text));

    /// <summary>The kinds whose value (or its first 12 characters) appears in <paramref name="output"/>.</summary>
    public static IReadOnlyList<string> Found(string output) =>
        [.. Kinds.Where(k => output.Contains(k.Value, StringComparison.Ordinal) || output.Contains(k.Value[..12], StringComparison.Ordinal)).Select(k => k.Kind)];

    /// <summary>Fails naming the output and each secret kind found in it.</summary>
    public static void AssertNone(string where, string output)
    {
        var found = Found(output);
        Assert.True(found.Count == 0, $"{where} carries {found.Count} planted secret kind(s): {string.Join(", ", found)}");
    }

    /// <summary>Every string in a JSON document, decoded (so escapes such as \u002B cannot hide a secret), one per line.</summary>
    public static string Strings(JsonNode? node) => node switch
    {
        JsonObject o => string.Join("\n", o.Select(p => p.Key + "\n" + Strings(p.Value))),
        JsonArray a => string.Join("\n", a.Select(Strings)),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v => v.ToJsonString(),
        _ => "",
    };

    /// <summary>
    /// An OTLP/JSON trace: a root and one errored child per secret kind, the secret in the child's name, status message, an
    /// attribute and an exception event, so every path by which span text reaches a result carries every kind.
    /// </summary>
    public static string Trace()
    {
        static JsonObject Attr(string key, string value) => new() { ["key"] = key, ["value"] = new JsonObject { ["stringValue"] = value } };
        static string Nanos(long offset) => (1_764_000_000_000_000_000 + offset).ToString(CultureInfo.InvariantCulture);

        var spans = new JsonArray
        {
            new JsonObject
            {
                ["traceId"] = TraceId, ["spanId"] = "00000000000000a1", ["name"] = "POST /checkout", ["kind"] = 2,
                ["startTimeUnixNano"] = Nanos(0), ["endTimeUnixNano"] = Nanos(2_000_000_000),
                ["attributes"] = new JsonArray(Attr("http.url", "https://shop.example/checkout?" + Kinds[8].Text[11..])),
                ["status"] = new JsonObject { ["code"] = 2, ["message"] = Kinds[0].Text },
            },
        };
        for (var i = 0; i < Kinds.Length; i++)
        {
            var text = Kinds[i].Text;
            spans.Add(new JsonObject
            {
                ["traceId"] = TraceId, ["spanId"] = $"00000000000000{i + 16:x2}", ["parentSpanId"] = "00000000000000a1",
                ["name"] = "call " + text, ["kind"] = 3,
                ["startTimeUnixNano"] = Nanos(10_000_000 + (i * 150_000_000L)), ["endTimeUnixNano"] = Nanos(150_000_000 + (i * 150_000_000L)),
                ["attributes"] = new JsonArray(Attr("peer.service", "vault"), Attr("detail", text), Attr("db.statement", "SELECT 1 -- " + text)),
                ["events"] = new JsonArray(new JsonObject
                {
                    ["name"] = "exception", ["timeUnixNano"] = Nanos(140_000_000 + (i * 150_000_000L)),
                    ["attributes"] = new JsonArray(Attr("exception.type", "AuthException"), Attr("exception.message", "rejected: " + text)),
                }),
                ["status"] = new JsonObject { ["code"] = 2, ["message"] = "failed with " + text },
            });
        }

        static JsonObject Resource(string service, JsonArray spans) => new()
        {
            ["resource"] = new JsonObject { ["attributes"] = new JsonArray(Attr("service.name", service)) },
            ["scopeSpans"] = new JsonArray(new JsonObject { ["spans"] = spans }),
        };

        return new JsonObject { ["resourceSpans"] = new JsonArray(Resource("checkout", spans)) }.ToJsonString();
    }
}
