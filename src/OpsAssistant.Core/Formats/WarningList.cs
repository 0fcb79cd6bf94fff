namespace OpsAssistant.Core.Formats;

/// <summary>
/// Warnings for one trace, capped: a broken exporter can produce the same problem on every span, and a million
/// identical warnings help nobody. After the cap only a count is kept.
/// </summary>
internal sealed class WarningList
{
    private const int MaxMessages = 100;

    private readonly List<string> _messages = [];
    private int _suppressed;

    public void Add(string message)
    {
        if (_messages.Count < MaxMessages)
        {
            _messages.Add(message);
        }
        else
        {
            _suppressed++;
        }
    }

    public void AddRange(WarningList other)
    {
        foreach (var message in other._messages)
        {
            Add(message);
        }

        _suppressed += other._suppressed;
    }

    public IReadOnlyList<string> ToList()
    {
        if (_suppressed == 0)
        {
            return _messages.ToArray();
        }

        return [.. _messages, $"{_suppressed} further warnings were suppressed"];
    }
}
