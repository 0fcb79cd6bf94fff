using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Sources;

namespace OpsAssistant.Infrastructure.Tests.Sources;

public sealed class FileTraceSourceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opsassistant-files-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task GetTrace_FileNamedAfterTrace_ReadsThatFile()
    {
        Copy("otlp-otel-proto_examples_trace.json", "5b8efff798038103d269b633813fc60c.json");

        var trace = await Source().GetTraceAsync("5B8EFFF798038103D269B633813FC60C");

        Assert.NotNull(trace);
        Assert.Equal("5b8efff798038103d269b633813fc60c", trace.TraceId);
    }

    [Fact]
    public async Task GetTrace_NoFileNamedAfterTrace_ScansEveryFormatAndSkipsGarbage()
    {
        Copy("jaeger-v1-ui_01.json", "a.json");
        Copy("zipkin-envoy.json", Path.Combine("nested", "b.json"));
        await File.WriteAllTextAsync(Path.Combine(_directory, "broken.json"), "{ not json");

        var trace = await Source().GetTraceAsync("978883983d506fa5");

        Assert.NotNull(trace);
        Assert.Contains(trace.Spans, s => s.Name == "localhost:10000");
    }

    [Fact]
    public async Task GetTrace_TraceInNoFile_ReturnsNull()
    {
        Copy("zipkin-envoy.json", "b.json");

        Assert.Null(await Source().GetTraceAsync("0123456789abcdef0123456789abcdef"));
    }

    [Fact]
    public async Task GetTrace_PathIsMissing_ThrowsTraceSourceException()
    {
        var source = new FileTraceSource(Options.Create(new TraceSourceOptions { Path = Path.Combine(_directory, "nope") }), NullLogger<FileTraceSource>.Instance);

        await Assert.ThrowsAsync<TraceSourceException>(() => source.GetTraceAsync("978883983d506fa5"));
    }

    private FileTraceSource Source() =>
        new(Options.Create(new TraceSourceOptions { Kind = "Files", Path = _directory }), NullLogger<FileTraceSource>.Instance);

    private void Copy(string fixture, string target)
    {
        var path = Path.Combine(_directory, target);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "traces", fixture), path);
    }
}
