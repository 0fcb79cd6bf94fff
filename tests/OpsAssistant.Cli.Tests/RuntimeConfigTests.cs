using System.Text.Json;
using OpsAssistant.Cli.Commands;

namespace OpsAssistant.Cli.Tests;

/// <summary>
/// The GC configuration the CLI ships with, read from the runtimeconfig.json the host starts it with. Background GC caps
/// workstation gen0's budget at 6 MB, which made a 100k-span analysis promote its model through every generation
/// (docs/performance.md), so the project file turns it off; this keeps that setting from being lost unnoticed.
/// </summary>
public sealed class RuntimeConfigTests
{
    [Fact]
    public void Cli_RunsOnBlockingWorkstationGc()
    {
        var path = Path.ChangeExtension(typeof(AnalyzeCommand).Assembly.Location, ".runtimeconfig.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var properties = doc.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.False(properties.GetProperty("System.GC.Concurrent").GetBoolean());
        Assert.False(properties.TryGetProperty("System.GC.Server", out var server) && server.GetBoolean());
    }
}
