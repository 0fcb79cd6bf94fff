using System.Security.Cryptography;
using System.Text;
using OpsAssistant.Server.Security;

namespace OpsAssistant.Server.Webhooks;

/// <summary>
/// The webhook's own credentials (Alertmanager and Grafana cannot send the API's X-Api-Key): a bearer token and/or an
/// HMAC-SHA256 signature of the signing time and the raw body, checked against a time window and a replay cache. Both compare in constant time so timing reveals nothing of the secret.
/// </summary>
internal static class WebhookAuthenticator
{
    public const string SignatureHeader = "X-OpsAssistant-Signature";

    /// <summary>When the sender signed the delivery, in Unix seconds; part of the signed text, so it cannot be changed.</summary>
    public const string TimestampHeader = "X-OpsAssistant-Timestamp";

    /// <summary>Null when the bearer token is absent from configuration or matches; otherwise why the request is refused.</summary>
    public static string? CheckToken(HttpRequest request, SecurityOptions options)
    {
        if (string.IsNullOrEmpty(options.WebhookToken))
        {
            return null;
        }

        var authorization = request.Headers.Authorization.FirstOrDefault();
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return $"Send 'Authorization: Bearer <token>' with the token configured in {SecurityOptions.SectionName}:WebhookToken.";
        }

        // Digests first: FixedTimeEquals is only constant-time for equal lengths.
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(authorization["Bearer ".Length..].Trim()));
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.WebhookToken));
        return CryptographicOperations.FixedTimeEquals(presented, expected)
            ? null
            : $"The bearer token does not match {SecurityOptions.SectionName}:WebhookToken.";
    }

    /// <summary>
    /// Null when no HMAC secret is configured or the signature matches <c>"{timestamp}.{body}"</c> with a timestamp inside
    /// the window; otherwise why the request is refused. <paramref name="signature"/> is the verified signature, for the
    /// replay cache.
    /// </summary>
    public static string? CheckSignature(HttpRequest request, ReadOnlySpan<byte> body, SecurityOptions options, DateTimeOffset now, out string? signature)
    {
        signature = null;
        if (string.IsNullOrEmpty(options.WebhookHmacSecret))
        {
            return null;
        }

        var header = request.Headers[SignatureHeader].FirstOrDefault()?.Trim();
        var stamp = request.Headers[TimestampHeader].FirstOrDefault()?.Trim();
        const string prefix = "sha256=";
        if (header is null || !header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(stamp))
        {
            return $"Send '{TimestampHeader}: <unix seconds>' and '{SignatureHeader}: sha256=<hex HMAC-SHA256 of \"<timestamp>.<body>\">' " +
                $"keyed with {SecurityOptions.SectionName}:WebhookHmacSecret.";
        }

        if (!long.TryParse(stamp, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            || seconds > 253402300799)
        {
            return $"{TimestampHeader} must be the signing time in Unix seconds.";
        }

        byte[] presented;
        try
        {
            presented = Convert.FromHexString(header.AsSpan(prefix.Length));
        }
        catch (FormatException)
        {
            return $"{SignatureHeader} is not hexadecimal.";
        }

        var stampBytes = Encoding.ASCII.GetBytes(stamp + ".");
        var signed = new byte[stampBytes.Length + body.Length];
        stampBytes.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(stampBytes.Length));
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.WebhookHmacSecret), signed);
        if (!CryptographicOperations.FixedTimeEquals(presented, expected))
        {
            return $"{SignatureHeader} does not match \"<{TimestampHeader}>.<body>\" signed with {SecurityOptions.SectionName}:WebhookHmacSecret.";
        }

        // Checked after the signature, so an unsigned request learns nothing about the clock.
        var age = now - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (age.Duration() > options.WebhookSignatureTolerance)
        {
            return $"The delivery was signed {Math.Abs((long)age.TotalSeconds)} s away from now, outside {SecurityOptions.SectionName}:WebhookSignatureTolerance " +
                $"({options.WebhookSignatureTolerance}); sign each delivery when it is sent.";
        }

        signature = Convert.ToHexStringLower(expected);
        return null;
    }
}
