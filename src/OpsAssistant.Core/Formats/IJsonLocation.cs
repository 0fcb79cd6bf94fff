namespace OpsAssistant.Core.Formats;

/// <summary>
/// Describes where a format parser currently is, as a JSON path, only when an error needs it: the parsers keep
/// indexes in fields and build the path string lazily, so the happy path allocates nothing for it.
/// </summary>
internal interface IJsonLocation
{
    string PathOf(string? field);
}
