using System.Net;

namespace OpsAssistant.Server.GrpcServices;

/// <summary>The one address the gRPC server binds, parsed from <c>OpsAssistant:Ingest:GrpcUrl</c>.</summary>
internal sealed record GrpcListenAddress(IPAddress? Address, int Port, bool Localhost)
{
    public const string ConfigurationKey = "OpsAssistant:Ingest:GrpcUrl";

    public bool IsLoopback => Localhost || (Address is not null && IPAddress.IsLoopback(Address));

    /// <summary>Parses <c>http://host:port</c>; host is an IP address, <c>localhost</c>, or <c>*</c>/<c>+</c>/<c>0.0.0.0</c> for every interface.</summary>
    public static GrpcListenAddress? TryParse(string? url, out string? error)
    {
        error = null;
        var text = url?.Trim() ?? "";
        const string scheme = "http://";
        if (!text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            error = $"{ConfigurationKey} must be an http:// URL with a port (cleartext HTTP/2, e.g. {Ingest.IngestOptions.DefaultGrpcUrl}), or empty to turn gRPC off; got '{url}'. Terminate TLS in front of the service.";
            return null;
        }

        var authority = text[scheme.Length..].TrimEnd('/');
        var colon = authority.LastIndexOf(':');
        if (colon <= 0 || authority.Contains('/', StringComparison.Ordinal)
            || !int.TryParse(authority[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            || port > IPEndPoint.MaxPort)
        {
            error = $"{ConfigurationKey} must name a port between 0 and {IPEndPoint.MaxPort}, e.g. {Ingest.IngestOptions.DefaultGrpcUrl}; got '{url}'.";
            return null;
        }

        var host = authority[..colon].Trim('[', ']');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new GrpcListenAddress(null, port, Localhost: true);
        }

        if (host is "*" or "+")
        {
            return new GrpcListenAddress(IPAddress.IPv6Any, port, Localhost: false);
        }

        if (IPAddress.TryParse(host, out var address))
        {
            return new GrpcListenAddress(address, port, Localhost: false);
        }

        error = $"{ConfigurationKey} must name an IP address, localhost or * as its host; got '{host}'.";
        return null;
    }
}
