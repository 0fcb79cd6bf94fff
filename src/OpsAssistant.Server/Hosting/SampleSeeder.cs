using OpsAssistant.Core.Formats;
using OpsAssistant.Core.Sources;

namespace OpsAssistant.Server.Hosting;

/// <summary>
/// On first start against an empty store, loads the sample traces shipped in <c>samples/</c> (copies of eval cases), so a
/// newcomer can analyse something at once. Off with <c>OpsAssistant:SeedSamples=false</c>; never touches a store with data.
/// </summary>
internal sealed partial class SampleSeeder(ITraceStore store, IConfiguration configuration, ILogger<SampleSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!configuration.GetValue("OpsAssistant:SeedSamples", true) || (await store.SearchAsync(new TraceQuery { Limit = 1 }, cancellationToken)).Count > 0)
        {
            return;
        }

        var dir = Path.Combine(AppContext.BaseDirectory, "samples");
        if (!Directory.Exists(dir))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(dir, "*.json").Order(StringComparer.Ordinal))
        {
            var result = await TraceReader.ReadFileAsync(file, cancellationToken: cancellationToken);
            var sample = Path.GetFileNameWithoutExtension(file);
            foreach (var trace in result.Traces)
            {
                await store.AddSpansAsync([.. trace.Spans], cancellationToken);
                LogSeeded(logger, trace.TraceId, sample);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded sample trace {TraceId} ({Sample}) into the empty store")]
    private static partial void LogSeeded(ILogger logger, string traceId, string sample);
}
