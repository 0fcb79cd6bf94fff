using System.Net;
using System.Net.Http.Headers;
using System.Text;
using OpsAssistant.Core.Tests.Hardening;

namespace OpsAssistant.Server.Tests.Hardening;

/// <summary>
/// POST /v1/traces and the webhooks through the real host with mutated real bodies (OTLP/JSON exports, hostile protobuf,
/// Alertmanager and Grafana notifications): every answer is a success or a 4xx problem, never a 500; the host keeps
/// serving. Failing ingest bodies are kept under tests/corpus/ingest/.
/// </summary>
public sealed class HostBodyFuzzTests : IDisposable
{
    private const string Suite = "ingest";
    private readonly OpsAssistantHost _host = new();

    public void Dispose() => _host.Dispose();

    private static IEnumerable<(string ContentType, byte[] Body)> Inputs()
    {
        var seeds = new[] { "sibling_errors.json", "otlp-otel-proto_examples_trace.json" }
            .Select(f => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", f))).ToList();
        var otlp = seeds[1];
        var root = Mutations.TryParse(otlp)!;
        var random = new Random(11);
        var json = Mutations.Truncations(otlp, maxCuts: 60)
            .Concat(Enumerable.Range(1, Mutations.Walk(root).Count() - 1).SelectMany(i => new[] { "\"text\"", "-1", "{}", "[]", "null", "[1]" }.Select(v => Mutations.ReplaceValue(root, i, v))).OfType<byte[]>())
            .Concat(Enumerable.Range(0, 40).Select(_ => Mutations.InsertInvalidText(otlp, random)))
            .Concat(Enumerable.Range(0, 40).Select(_ => Mutations.FlipBits(seeds[0], random, 3)))
            .Concat(new[]
            {
                "{\"resourceSpans\":[1]}", "{\"resourceSpans\":[null]}", "{\"resourceSpans\":[\"x\"]}", "{\"resourceSpans\":[{\"scopeSpans\":{}}]}",
                "{\"resourceSpans\":[{\"scopeSpans\":\"x\"}]}", "{\"resourceSpans\":[{\"scopeSpans\":7}]}", "{\"resourceSpans\":{}}", "{\"resourceSpans\":[[]]}",
                "", "{}", "[]", "null", "{\"resourceSpans\":[]}", "{\"resourceSpans\":[{\"scopeSpans\":[]}]}", "{\"resourceSpans\":[{\"scopeSpans\":[null]}]}",
            }.Select(Encoding.UTF8.GetBytes))
            .Select(b => ("application/json", b));
        var protobuf = new[]
            {
                new byte[] { 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F }, [0x0B, 0x0B, 0x0B], [0xFF], [0x0A, 0x02, 0x12, 0x05], Enumerable.Repeat((byte)0x0B, 10_000).ToArray(),
            }
            .Concat(Enumerable.Range(0, 20).Select(i =>
            {
                var bytes = new byte[random.Next(1, 512)];
                random.NextBytes(bytes);
                return bytes;
            }))
            .Select(b => ("application/x-protobuf", b));
        return json.Concat(protobuf);
    }

    [Fact]
    public async Task Ingest_MutatedExports_AreStoredOrRefusedWithA4xxProblemNeverA500()
    {
        using var client = _host.CreateClient();
        var failures = new List<string>();
        foreach (var (contentType, body) in Inputs())
        {
            BadInputHarness.Record(Suite, body);
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            using var response = await client.PostAsync(new Uri("v1/traces", UriKind.Relative), content);
            var ok = response.StatusCode == HttpStatusCode.OK
                || ((int)response.StatusCode is >= 400 and < 500 && response.Content.Headers.ContentType?.MediaType == "application/problem+json");
            if (!ok)
            {
                failures.Add($"{contentType} {body.Length} bytes ({BadInputHarness.Keep(Suite, body) ?? "not kept"}): {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("readyz", UriKind.Relative))).StatusCode);
    }

    [Theory]
    [InlineData("alertmanager")]
    [InlineData("grafana")]
    public async Task Webhook_MutatedNotifications_AreAcceptedOrRefusedWithA4xxProblemNeverA500(string endpoint)
    {
        using var client = _host.CreateClient();
        var random = new Random(13);
        var failures = new List<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "alerts"), "*.json"))
        {
            var seed = await File.ReadAllBytesAsync(file);
            var root = Mutations.TryParse(seed)!;
            var inputs = Mutations.Truncations(seed, maxCuts: 25)
                .Concat(Enumerable.Range(0, 25).Select(_ => Mutations.ReplaceValue(root, random.Next(), Mutations.HostileValues[random.Next(Mutations.HostileValues.Length)])).OfType<byte[]>())
                .Concat(Enumerable.Range(0, 10).Select(_ => Mutations.InsertInvalidText(seed, random)));
            foreach (var body in inputs)
            {
                BadInputHarness.Record(endpoint, body);
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await client.PostAsync(new Uri("webhooks/" + endpoint, UriKind.Relative), content);
                if ((int)response.StatusCode >= 500)
                {
                    failures.Add($"{Path.GetFileName(file)} {body.Length} bytes: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
    }

    [Fact]
    public async Task Replay_EveryKeptIngestBody_IsNotA500()
    {
        using var client = _host.CreateClient();
        var dir = BadInputHarness.CorpusDirectory(Suite);
        foreach (var file in Directory.Exists(dir) ? Directory.GetFiles(dir, "*.bin") : [])
        {
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
            content.Headers.ContentType = new MediaTypeHeaderValue(file.EndsWith(".pb.bin", StringComparison.Ordinal) ? "application/x-protobuf" : "application/json");
            using var response = await client.PostAsync(new Uri("v1/traces", UriKind.Relative), content);
            Assert.True((int)response.StatusCode < 500, $"{Path.GetFileName(file)}: {(int)response.StatusCode}");
        }
    }
}
