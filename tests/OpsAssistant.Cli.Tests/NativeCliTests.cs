using System.Diagnostics;
using System.Text.Json.Nodes;

namespace OpsAssistant.Cli.Tests;

/// <summary>
/// The native (ahead-of-time compiled) CLI that .ci/run publishes and points <c>OPSASSISTANT_CLI</c> at: it must print
/// what the framework-dependent build prints (its JSON goes through generated serializers, its prompt file through a
/// different YAML reader), and say plainly what it leaves out. Skipped when the CLI under test is not the native build.
/// </summary>
public sealed class NativeCliTests
{
    [Fact]
    public async Task AnalyzeJson_NativeBuild_PrintsWhatTheFrameworkDependentBuildPrints()
    {
        SkipUnlessNative();
        var trace = Path.Combine(AppContext.BaseDirectory, "Fixtures", "sibling_errors.json");

        var native = await RunAsync(CliUnderTest.Command(), "analyze", trace, "--no-llm", "--json");
        var managed = await RunAsync(("dotnet", [CliUnderTest.BuiltAssemblyPath()]), "analyze", trace, "--no-llm", "--json");

        Assert.Equal(0, native.ExitCode);
        Assert.Equal(0, managed.ExitCode);
        Assert.Equal(WithoutRunFields(managed.Stdout), WithoutRunFields(native.Stdout));
        Assert.True(JsonNode.Parse(native.Stdout)!["promptTokens"]!.GetValue<int>() > 0, "the native build read prompts/rca.yaml and counted the prompt");
    }

    [Fact]
    public async Task Mcp_NativeBuild_ExitsTwoNamingWhereTheServerRuns()
    {
        SkipUnlessNative();

        var run = await RunAsync(CliUnderTest.Command(), "mcp");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains("dotnet tool install -g OpsAssistant.Cli", run.Stderr, StringComparison.Ordinal);
    }

    private static void SkipUnlessNative()
    {
        if (!CliUnderTest.IsNative)
        {
            Assert.Skip("the CLI under test is not the native build; .ci/run publishes it and sets OPSASSISTANT_CLI");
        }
    }

    /// <summary>The result JSON without the two fields that differ from run to run (its ID and its elapsed time).</summary>
    private static string WithoutRunFields(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        node.Remove("analysisId");
        node.Remove("elapsedMs");
        return node.ToJsonString();
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync((string FileName, string[] Prefix) command, params string[] args)
    {
        var start = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in (string[])[.. command.Prefix, .. args])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = null;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }
}
