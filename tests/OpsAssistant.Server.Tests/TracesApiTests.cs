using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OpsAssistant.Server.Tests;

/// <summary>OTLP/HTTP ingest and the traces API through the real host on loopback.</summary>
public sealed class TracesApiTests : IDisposable
{
    private const string ExampleTraceId = "5b8efff798038103d269b633813fc60c";

    private readonly OpsAssistantHost _host = new(new() { ["OpsAssistant:Ingest:MaxRequestBytes"] = "65536", ["OpsAssistant:Ingest:MaxDecompressedBytes"] = "131072" });
    private readonly HttpClient _client;

    public TracesApiTests() => _client = _host.CreateClient();

    public void Dispose()
    {
        _client.Dispose();
        _host.Dispose();
    }

    [Fact]
    public void Host_ListensOnADynamicLoopbackPort()
    {
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(_host.BaseAddress.Host)) || _host.BaseAddress.IsLoopback);
        Assert.NotEqual(8080, _host.BaseAddress.Port);
    }

    [Fact]
    public async Task IngestJson_SharedOtlpFile_StoresTraceAndAnswersEmptyJsonObject()
    {
        using var response = await _client.PostAsync(Relative("v1/traces"), Json(Fixture()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
        using var trace = await GetJsonAsync($"api/traces/{ExampleTraceId}");
        var span = trace.RootElement.GetProperty("resourceSpans")[0].GetProperty("scopeSpans")[0].GetProperty("spans")[0];
        Assert.Equal("I'm a server span", span.GetProperty("name").GetString());
        Assert.Equal(ExampleTraceId, span.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task IngestJson_Gzipped_IsDecompressedAndStored()
    {
        using var content = new ByteArrayContent(Gzip(Encoding.UTF8.GetBytes(Fixture())));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");

        using var response = await _client.PostAsync(Relative("v1/traces"), content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var trace = await _client.GetAsync(Relative($"api/traces/{ExampleTraceId}"));
        Assert.Equal(HttpStatusCode.OK, trace.StatusCode);
    }

    [Fact]
    public async Task IngestProtobuf_EmptyRequest_AnswersEmptyProtobufResponse()
    {
        using var content = new ByteArrayContent([]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");

        using var response = await _client.PostAsync(Relative("v1/traces"), content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData(" {\"resourceSpans\": []}\n")]
    [InlineData("{\"resourceSpans\":[{\"resource\":{},\"scopeSpans\":[]},{}]}")]
    public async Task IngestJson_ExportWithoutSpans_AnswersEmptyJsonObject(string body)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");

        using var response = await _client.PostAsync(Relative("v1/traces"), content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ingest_UnsupportedContentType_Is415Problem()
    {
        using var response = await _client.PostAsync(Relative("v1/traces"), new StringContent("hello", Encoding.UTF8, "text/plain"));

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "application/x-protobuf");
    }

    [Fact]
    public async Task Ingest_UnsupportedContentEncoding_Is415Problem()
    {
        using var content = Json(Fixture());
        content.Headers.ContentEncoding.Add("br");

        using var response = await _client.PostAsync(Relative("v1/traces"), content);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "gzip");
    }

    [Theory]
    [InlineData("application/json", "{\"resourceSpans\": [ {")]
    [InlineData("application/json", "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"zz\",\"spanId\":\"01\",\"name\":\"x\"}]}]}]}")]
    [InlineData("application/x-protobuf", "\u000a\u00ff\u00ff\u00ff\u000f")]
    public async Task Ingest_MalformedBody_Is400ProblemWithReason(string contentType, string body)
    {
        using var content = new ByteArrayContent(Encoding.Latin1.GetBytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);

        using var response = await _client.PostAsync(Relative("v1/traces"), content);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "");
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()));
        Assert.Empty((await GetJsonAsync("api/traces")).RootElement.EnumerateArray());
    }

    [Fact]
    public async Task Ingest_CorruptGzip_Is400Problem()
    {
        using var content = new ByteArrayContent([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");

        using var response = await _client.PostAsync(Relative("v1/traces"), content);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "");
    }

    [Fact]
    public async Task Ingest_BodyOverTheLimit_Is413ProblemNamingTheKey()
    {
        using var content = new ByteArrayContent(new byte[70_000]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");

        using var response = await _client.PostAsync(Relative("v1/traces"), content);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "OpsAssistant:Ingest:MaxRequestBytes");
    }

    [Fact]
    public async Task Ingest_GzipBombOverTheDecompressedLimit_Is413Problem()
    {
        using var content = new ByteArrayContent(Gzip(new byte[1_000_000]));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("gzip");

        using var response = await _client.PostAsync(Relative("v1/traces"), content);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "OpsAssistant:Ingest:MaxDecompressedBytes");
    }

    [Theory]
    [InlineData("not-a-trace-id")]
    [InlineData("5b8efff798038103d269b633813fc60")]
    [InlineData("5b8efff798038103d269b633813fc60g")]
    public async Task GetTrace_MalformedId_Is400ValidationProblemNamingTraceId(string id)
    {
        using var response = await _client.GetAsync(Relative($"api/traces/{id}"));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "");
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("traceId", out _));
    }

    [Fact]
    public async Task GetTrace_UnknownId_Is404Problem()
    {
        using var response = await _client.GetAsync(Relative("api/traces/0123456789abcdef0123456789abcdef"));

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "0123456789abcdef0123456789abcdef");
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2024-13-45T00:00:00Z", "to")]
    [InlineData("from=2024-05-02T00:00:00Z&to=2024-05-01T00:00:00Z", "from")]
    [InlineData("error=maybe", "error")]
    public async Task Search_InvalidParameter_Is400ValidationProblemNamingIt(string query, string field)
    {
        using var response = await _client.GetAsync(Relative($"api/traces?{query}"));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "");
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}'");
    }

    [Fact]
    public async Task Search_IsoAndUnixMillisecondWindows_FindTheIngestedTrace()
    {
        await _client.PostAsync(Relative("v1/traces"), Json(Fixture()));

        // The example span starts 2018-12-13T14:51:00Z (1544712660000 ms).
        using var iso = await GetJsonAsync("api/traces?from=2018-12-13T14:50:00Z&to=2018-12-13T14:52:00Z&service=my.service&limit=5");
        using var unix = await GetJsonAsync("api/traces?from=1544712600000&to=1544712720000");
        using var outside = await GetJsonAsync("api/traces?from=2019-01-01T00:00:00Z");

        Assert.Equal(ExampleTraceId, Assert.Single(iso.RootElement.EnumerateArray()).GetProperty("traceId").GetString());
        Assert.Single(unix.RootElement.EnumerateArray());
        Assert.Empty(outside.RootElement.EnumerateArray());
    }

    [Fact]
    public async Task HealthEndpointsAndOpenApi_Answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync(Relative("healthz"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync(Relative("readyz"))).StatusCode);
        using var openApi = await GetJsonAsync("openapi/v1.json");
        var paths = openApi.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/v1/traces", out _));
        Assert.True(paths.TryGetProperty("/api/traces/{traceId}", out _));

        // The webhooks' typed results describe what a sender gets back: the queued analyses, or a problem.
        foreach (var webhook in new[] { "/webhooks/alertmanager", "/webhooks/grafana" })
        {
            var responses = paths.GetProperty(webhook).GetProperty("post").GetProperty("responses");
            Assert.True(responses.TryGetProperty("202", out var accepted), webhook);
            Assert.True(accepted.GetProperty("content").TryGetProperty("application/json", out _), webhook);
        }
    }

    [Fact]
    public async Task UnknownRoute_Is404Problem()
    {
        using var response = await _client.GetAsync(Relative("no/such/route"));

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "");
    }

    internal static async Task<JsonDocument> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string mentions)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains(mentions, text, StringComparison.Ordinal);
        var problem = JsonDocument.Parse(text);
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        return problem;
    }

    private static Uri Relative(string path) => new(path, UriKind.Relative);

    private async Task<JsonDocument> GetJsonAsync(string path)
    {
        using var response = await _client.GetAsync(Relative(path));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string Fixture() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "otlp-otel-proto_examples_trace.json"));

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
