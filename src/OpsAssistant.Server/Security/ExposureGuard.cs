using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OpsAssistant.Server.Security;

/// <summary>
/// Refuses to start a service that would answer anyone: an address beyond loopback among the configured URLs, no API keys
/// or no webhook credentials, and <c>AllowAnonymous</c> not set. Runs as a hosted service, so it fails the start before Kestrel listens.
/// </summary>
internal sealed class ExposureGuard(IConfiguration configuration, IOptions<SecurityOptions> options, ILogger<ExposureGuard> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var security = options.Value;
        var exposed = ConfiguredUrls(configuration).Where(u => !IsLoopback(u)).ToList();
        var missing = new List<string>();
        if (!security.HasKeys)
        {
            missing.Add($"{SecurityOptions.SectionName}:ApiKeys");
        }

        // The webhooks take their own credentials; open, anyone could queue analyses (and spend LLM tokens).
        if (string.IsNullOrEmpty(security.WebhookToken) && string.IsNullOrEmpty(security.WebhookHmacSecret))
        {
            missing.Add($"{SecurityOptions.SectionName}:WebhookToken or {SecurityOptions.SectionName}:WebhookHmacSecret");
        }

        if (exposed.Count > 0 && configuration["AllowedHosts"] == OpsAssistantHostExtensions.LoopbackHosts)
        {
            logger.LogWarning("Listening on {Urls} but answering only requests for {Hosts}: set AllowedHosts to the names clients use", string.Join(", ", exposed),
                OpsAssistantHostExtensions.LoopbackHosts);
        }

        if (security.HasKeys && string.IsNullOrEmpty(security.WebhookToken) && string.IsNullOrEmpty(security.WebhookHmacSecret))
        {
            logger.LogWarning("{ApiKeys} is set but neither {Token} nor {Secret}: the alert webhooks refuse every delivery until one is",
                $"{SecurityOptions.SectionName}:ApiKeys", $"{SecurityOptions.SectionName}:WebhookToken", $"{SecurityOptions.SectionName}:WebhookHmacSecret");
        }

        if (exposed.Count == 0 || missing.Count == 0)
        {
            return Task.CompletedTask;
        }

        if (security.AllowAnonymous)
        {
            logger.LogWarning("Serving {Urls} without {Missing} because {Key} is true", string.Join(", ", exposed), string.Join(" and ", missing),
                $"{SecurityOptions.SectionName}:AllowAnonymous");
            return Task.CompletedTask;
        }

        throw new Hosting.StartupRefusedException(
            $"Refusing to serve {string.Join(", ", exposed)} without authentication: set {string.Join(", and ", missing)}, " +
            $"or {SecurityOptions.SectionName}:AllowAnonymous=true when something in front of the service authenticates callers.");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal static IEnumerable<string> ConfiguredUrls(IConfiguration configuration)
    {
        foreach (var url in (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            yield return url;
        }

        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (endpoint["Url"] is { Length: > 0 } url)
            {
                yield return url;
            }
        }

        // Bare ports (ASPNETCORE_HTTP_PORTS) bind every interface.
        foreach (var key in new[] { "http_ports", "https_ports" })
        {
            foreach (var port in (configuration[key] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                yield return $"http://*:{port}";
            }
        }
    }

    internal static bool IsLoopback(string url)
    {
        // Kestrel accepts wildcards that Uri cannot parse ("http://*:80", "http://+:80"): those bind everything.
        var rest = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        var host = rest.StartsWith('[') ? rest[..(rest.IndexOf(']') + 1)] : rest.Split(':', '/')[0];
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }
}
