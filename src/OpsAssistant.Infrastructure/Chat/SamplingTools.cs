using System.ComponentModel;
using System.Text.Json;
using OpsAssistant.Infrastructure.Llm;

namespace OpsAssistant.Infrastructure.Chat;

/// <summary>
/// The sampling tools the chat model may call when the operator asks for them: raise a service's sampling for a while, end
/// that, or list what is in force. Each makes or ends real overrides attributed to the conversation, through the same path
/// (and guard rails) as the API.
/// </summary>
public sealed class SamplingTools(SamplingChat chat)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [ChatTool("sample_service")]
    [Description("Changes the head-sampling rate of one service for a while, e.g. to record every trace of the service under investigation. Only when the operator asks.")]
    public async Task<string> SampleServiceAsync(
        [Description("service name exactly as in the traces")] string service,
        [Description("percentage of traces to record, 0 to 100 (100 records all)")] double percent = 100,
        [Description("how many minutes the change lasts; omit for the configured incident duration")] int? minutes = null,
        [Description("why, for the audit, e.g. the incident or alert")] string? reason = null,
        CancellationToken cancellationToken = default)
    {
        var intent = new SamplingIntent(SamplingIntentKind.Set, service?.Trim(), percent / 100, minutes is > 0 ? TimeSpan.FromMinutes(minutes.Value) : null);
        return Result(await chat.ApplyAsync(intent, reason, cancellationToken).ConfigureAwait(false));
    }

    [ChatTool("stop_sampling_override")]
    [Description("Ends every sampling override in force for a service, returning it to its configured rate.")]
    public async Task<string> StopSamplingAsync([Description("service name")] string service, CancellationToken cancellationToken = default) =>
        Result(await chat.ApplyAsync(new SamplingIntent(SamplingIntentKind.Stop, service?.Trim()), null, cancellationToken).ConfigureAwait(false));

    [ChatTool("list_sampling_overrides")]
    [Description("Lists the sampling overrides in force: service, rate, expiry, who or what made each.")]
    public async Task<string> ListSamplingOverridesAsync(CancellationToken cancellationToken = default) =>
        Result(await chat.ApplyAsync(new SamplingIntent(SamplingIntentKind.Show), null, cancellationToken).ConfigureAwait(false));

    private static string Result(string text) => JsonSerializer.Serialize(new { result = text }, Json);
}
