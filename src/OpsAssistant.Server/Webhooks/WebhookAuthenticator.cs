using System.Security.Cryptography;
using System.Text;
using OpsAssistant.Server.Security;

namespace OpsAssistant.Server.Webhooks;

/// <summary>
/// The webhook's own credentials (Alertmanager and Grafana cannot send the API's X-Api-Key): a bearer token and/or an
/// HMAC-SHA256 signature of the raw body. Both compare in constant time so timing reveals nothing of the secret.
/// </summary>
internal static class WebhookAuthenticator
{
    public const string SignatureHeader = "X-OpsAssistant-Signature";

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

    /// <summary>Null when no HMAC secret is configured or the body's signature matches; otherwise why the request is refused.</summary>
    public static string? CheckSignature(HttpRequest request, ReadOnlySpan<byte> body, SecurityOptions options)
    {
        if (string.IsNullOrEmpty(options.WebhookHmacSecret))
        {
            return null;
        }

        var header = request.Headers[SignatureHeader].FirstOrDefault()?.Trim();
        const string prefix = "sha256=";
        if (header is null || !header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return $"Send '{SignatureHeader}: sha256=<hex HMAC-SHA256 of the body>' keyed with {SecurityOptions.SectionName}:WebhookHmacSecret.";
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

        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.WebhookHmacSecret), body);
        return CryptographicOperations.FixedTimeEquals(presented, expected)
            ? null
            : $"{SignatureHeader} does not match the body signed with {SecurityOptions.SectionName}:WebhookHmacSecret.";
    }
}
