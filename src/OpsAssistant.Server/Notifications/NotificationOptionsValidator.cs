using Microsoft.Extensions.Options;

namespace OpsAssistant.Server.Notifications;

/// <summary>Checks what data annotations cannot: the URLs are absolute http(s) and credentials are not smuggled in them.</summary>
internal sealed class NotificationOptionsValidator : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        var failures = new List<string>();
        Check(options.Url, "Url", failures);
        Check(options.PublicBaseUrl, "PublicBaseUrl", failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(Uri? url, string key, List<string> failures)
    {
        if (url is null)
        {
            return;
        }

        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{NotificationOptions.SectionName}:{key} must be an absolute http or https URL (got '{url.OriginalString}').");
        }
        else if (!string.IsNullOrEmpty(url.UserInfo))
        {
            failures.Add($"{NotificationOptions.SectionName}:{key} must not carry credentials; use {NotificationOptions.SectionName}:Authorization.");
        }
    }
}
