using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpsAssistant.Infrastructure.Mcp;
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

    internal static async Task<int> RunAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.AddConfiguration(configuration.GetSection("Logging"))
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddOpsAssistantTraceSources(configuration);
        builder.Services.AddOpsAssistantAnalysis();
        builder.Services.AddOpsAssistantSampling();
        builder.Services.AddMcpServer(McpServerIdentity.Configure)
            .WithStdioServerTransport()
            .WithTools<OpsAssistantMcpTools>();

        try
        {
            using var host = builder.Build();
            await host.Services.GetRequiredService<RelationalTraceStore>().InitializeAsync(cancellationToken).ConfigureAwait(false);
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return AnalyzeCommand.Ok;
        }
        catch (Exception ex) when (ex is Microsoft.Extensions.Options.OptionsValidationException or InvalidOperationException or System.Data.Common.DbException)
        {
            await Console.Error.WriteLineAsync($"opsassistant mcp: {ex.Message}").ConfigureAwait(false);
            return AnalyzeCommand.Failure;
        }
    }
}
