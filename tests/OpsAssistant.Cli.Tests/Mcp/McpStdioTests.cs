using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using OpsAssistant.Core.Sources;
using OpsAssistant.Infrastructure.Storage;
using OpsAssistant.Tests.Mcp;

namespace OpsAssistant.Cli.Tests.Mcp;

/// <summary>
/// <c>opsassistant mcp</c> started as a process by the MCP SDK's own stdio client, as Claude Desktop or VS Code start it,
/// reading a SQLite store the test filled beforehand.
/// </summary>
public sealed class McpStdioTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opsassistant-mcp-").FullName;

    private string Database => Path.Combine(_directory, "traces.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // The server process may hold the file a moment after it exits; the OS cleans temp folders.
        }
    }

    [Fact]
    public async Task McpOverStdio_ListsAndCallsEveryTool()
    {
        await SeedAsync();
        await using var client = await McpClient.CreateAsync(Transport(new() { ["OpsAssistant__Storage__Path"] = Database }));

        await McpToolScenario.ListTools_AnnotatesReadOnlyAndDestructiveAsync(client);
        await McpToolScenario.AnalyzeAsync(client);
        await McpToolScenario.TraceTools_AnswerAboutTheTraceAsync(client);
        await McpToolScenario.SamplingTools_RaiseListAndEndAnOverrideAsync(client);
        await McpToolScenario.BadTraceIds_AreToolErrorsAsync(client);
    }

    [Fact]
    public async Task McpOverStdio_BadConfiguration_EndsWithAMessageOnStderr()
    {
        var stderr = new List<string>();
        var transport = Transport(new() { ["OpsAssistant__Storage__Path"] = Database, ["OpsAssistant__Storage__Provider"] = "Mongo" }, stderr);

        await Assert.ThrowsAnyAsync<Exception>(() => McpClient.CreateAsync(transport));

        lock (stderr)
        {
            Assert.Contains(stderr, line => line.Contains("OpsAssistant:Storage:Provider", StringComparison.Ordinal));
        }
    }

    private static StdioClientTransport Transport(Dictionary<string, string?> environment, List<string>? stderr = null) => new(new StdioClientTransportOptions
    {
        Name = "opsassistant",
        Command = CliUnderTest.Command().FileName,
        Arguments = [.. CliUnderTest.Command().Prefix, "mcp"],
        WorkingDirectory = Path.GetDirectoryName(CliUnderTest.AssemblyPath()),
        EnvironmentVariables = new Dictionary<string, string?>(environment) { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = null },
        StandardErrorLines = stderr is null ? null : line =>
        {
            lock (stderr)
            {
                stderr.Add(line);
            }
        },
    });

    private async Task SeedAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["OpsAssistant:Storage:Path"] = Database }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOpsAssistantTraceSources(configuration);
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<RelationalDatabase>().InitializeAsync(CancellationToken.None);
        var trace = McpToolScenario.RecentFixtureTrace(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sibling_errors.json"));
        await provider.GetRequiredService<ITraceStore>().AddSpansAsync([.. trace.Spans]);
    }
}
