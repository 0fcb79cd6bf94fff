using System.Diagnostics.CodeAnalysis;
using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using OpsAssistant.Infrastructure.Llm;
using OpsAssistant.Infrastructure.Mcp;
using OpsAssistant.Infrastructure.Sampling;
using OpsAssistant.Infrastructure.Sources;
using OpsAssistant.Infrastructure.Storage;

namespace OpsAssistant.Cli.Commands;

/// <summary>
/// <c>opsassistant mcp</c>: the Model Context Protocol server on stdin/stdout, for assistants that start their tools as a
/// process (Claude Desktop, VS Code). Same tools and configuration as the service's <c>/mcp</c>, reading the same store and
/// trace sources. stdout carries the protocol alone; logs go to stderr. Runs until stdin closes.
/// </summary>
internal static class McpCommand
{
    public static Command Create()
    {
        var command = new Command("mcp", "Serve OpsAssistant's tools to an AI assistant over the Model Context Protocol (stdio).");
        command.SetAction((_, ct) => RunAsync(CliHost.Configuration(), ct));
        return command;
    }

    /// <summary>
    /// Off in the native (ahead-of-time compiled) CLI, which then leaves the MCP server out: its tools answer with JSON
    /// written by reflection over anonymous types, which ahead-of-time compilation cannot keep. The .NET tool and the
    /// service's <c>/mcp</c> serve it.
    /// </summary>
    [FeatureSwitchDefinition(SwitchName)]
    internal static bool IsSupported => !AppContext.TryGetSwitch(SwitchName, out var enabled) || enabled;

    internal const string SwitchName = "OpsAssistant.Cli.Mcp.IsSupported";

    internal static async Task<int> RunAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        if (!IsSupported)
        {
            await Console.Error.WriteLineAsync("opsassistant mcp: this native build of opsassistant has no MCP server; run it from the .NET tool (dotnet tool install -g OpsAssistant.Cli) or use the service's /mcp.").ConfigureAwait(false);
            return AnalyzeCommand.BadInput;
        }

        // A plain service provider and the server's own run loop, no generic host: the CLI carries no hosting stack.
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        // stdout is the protocol channel: every log line goes to stderr, as for every verb.
        services.AddLogging(CliHost.AddCliLogging);
        services.AddOpsAssistantTraceSources(configuration);
        services.AddOpsAssistantAnalysis();
        services.AddOpsAssistantSampling();
        services.AddOpsAssistantTraceAnalysis();
        services.AddOpsAssistantIncidents();
        services.AddMcpServer(McpServerIdentity.Configure)
            .WithStdioServerTransport()
            .WithTools<OpsAssistantMcpTools>()
            .WithTools<IncidentMcpTools>();

        try
        {
            await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = true });
            ValidateOptions(provider);
            await provider.GetRequiredService<RelationalDatabase>().InitializeAsync(cancellationToken).ConfigureAwait(false);
            await provider.GetRequiredService<McpServer>().RunAsync(cancellationToken).ConfigureAwait(false);
            return AnalyzeCommand.Ok;
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException or System.Data.Common.DbException)
        {
            await Console.Error.WriteLineAsync($"opsassistant mcp: {ex.Message}").ConfigureAwait(false);
            return AnalyzeCommand.Failure;
        }
    }

    /// <summary>The settings the tools read, checked before the first request rather than on it.</summary>
    private static void ValidateOptions(IServiceProvider provider)
    {
        _ = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
        _ = provider.GetRequiredService<IOptions<TraceSourceOptions>>().Value;
        _ = provider.GetRequiredService<IOptions<LlmOptions>>().Value;
        _ = provider.GetRequiredService<IOptions<SamplingOptions>>().Value;
    }
}
