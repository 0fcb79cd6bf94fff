using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpsAssistant.Cli.Commands;
using OpsAssistant.Core.Engine;
using OpsAssistant.Infrastructure.Llm;

namespace OpsAssistant.Cli;

/// <summary>
/// The CLI's composition root: the same configuration keys and services as the server (appsettings.json beside the binary
/// or in the working directory, then <c>OpsAssistant__…</c> environment variables), built per command.
/// </summary>
internal static class CliHost
{
    public static IConfiguration Configuration(IReadOnlyDictionary<string, string?>? overrides = null) =>
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides ?? new Dictionary<string, string?>())
            .Build();

    public static ServiceProvider Services(IConfiguration configuration, Action<LlmHttpOptions>? llmHttp = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging(AddCliLogging);
        services.AddOpsAssistantAnalysis(llmHttp);
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// A command's stdout is its output (a table, or JSON a script pipes into jq), so every log line goes to stderr, and
    /// only warnings and errors are shown. The service's <c>Logging</c> section in appsettings.json (Information by
    /// default) is deliberately not read: it is tuned for a long-running host, and a retried LLM call would otherwise
    /// print Polly's per-attempt lines between a command's output.
    /// </summary>
    internal static void AddCliLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o => o.SingleLine = true);
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.Services.PostConfigure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    /// <summary>The engine for an eval run; replays rebuild the LLM settings from the recorded run's manifest.</summary>
    public static IRootCauseEngine EvalEngine(EvalEngineRequest request)
    {
        if (request.NoLlm)
        {
            return Engine(new Dictionary<string, string?> { ["OpsAssistant:Llm:Provider"] = "None" }, null);
        }

        if (request.ReplayDirectory is { } replay)
        {
            var manifest = LlmExchangeArchive.ReadManifest(replay);
            return Engine(new Dictionary<string, string?>
            {
                ["OpsAssistant:Llm:Provider"] = manifest.Provider.ToString(),
                ["OpsAssistant:Llm:Endpoint"] = "http://replay.invalid" + manifest.EndpointPath,
                ["OpsAssistant:Llm:Model"] = manifest.Model,
                ["OpsAssistant:Llm:Deployment"] = manifest.Model,
                ["OpsAssistant:Llm:ApiKey"] = "replay",
                ["OpsAssistant:Llm:MaxPromptTokens"] = manifest.MaxPromptTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["OpsAssistant:Llm:MaxOutputTokens"] = manifest.MaxOutputTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["OpsAssistant:Llm:Temperature"] = manifest.Temperature.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["OpsAssistant:Llm:Stream"] = manifest.Stream ? "true" : "false",
                ["OpsAssistant:Llm:CacheTtl"] = "00:00:00",
            }, h => h.ReplayDirectory = replay);
        }

        if (request.RecordDirectory is { } record)
        {
            var configuration = Configuration(new Dictionary<string, string?> { ["OpsAssistant:Llm:CacheTtl"] = "00:00:00" });
            var sp = Services(configuration, h => h.RecordDirectory = record);
            var options = sp.GetRequiredService<IOptions<LlmOptions>>().Value;
            if (!options.IsEnabled)
            {
                throw new InvalidOperationException("--record needs an LLM: set OpsAssistant:Llm:Provider (and Endpoint/Model/ApiKey).");
            }

            var path = options.Endpoint?.AbsolutePath.TrimEnd('/') ?? (options.Provider == LlmProvider.OpenAI ? "/v1" : "");
            LlmExchangeArchive.WriteManifest(record, new LlmRunManifest(options.Provider, options.ModelOrDeployment, path, options.MaxPromptTokens,
                options.MaxOutputTokens, options.Temperature, options.Stream, TimeProvider.System.GetUtcNow()));
            return sp.GetRequiredService<IRootCauseEngine>();
        }

        return Engine(null, null);
    }

    public static IRootCauseEngine Engine(IReadOnlyDictionary<string, string?>? overrides, Action<LlmHttpOptions>? llmHttp) =>
        Services(Configuration(overrides), llmHttp).GetRequiredService<IRootCauseEngine>();
}
