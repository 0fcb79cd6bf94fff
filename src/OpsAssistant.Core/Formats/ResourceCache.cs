using OpsAssistant.Core.Model;

namespace OpsAssistant.Core.Formats;

/// <summary>Shares one <see cref="Resource"/> per service name, so spans of one service point at one object.</summary>
internal sealed class ResourceCache
{
    private readonly Dictionary<string, Resource> _byService = new(StringComparer.Ordinal);

    public Resource GetOrAdd(string service)
    {
        if (!_byService.TryGetValue(service, out var resource))
        {
            resource = new Resource(service, [new OpsAssistant.Core.Model.Attribute("service.name", service)]);
            _byService[service] = resource;
        }

        return resource;
    }
}
