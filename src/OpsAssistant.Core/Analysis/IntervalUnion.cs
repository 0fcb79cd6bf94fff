namespace OpsAssistant.Core.Analysis;

/// <summary>The total length covered by intervals added in order of their start, overlaps counted once.</summary>
internal struct IntervalUnion
{
    private long _covered;
    private long _runStart;
    private long _runEnd;
    private bool _open;

    /// <summary>Adds [start, end); empty intervals are ignored. Starts must not decrease.</summary>
    public void Add(long start, long end)
    {
        if (end <= start)
        {
            return;
        }

        if (!_open || start > _runEnd)
        {
            _covered += _open ? _runEnd - _runStart : 0;
            _runStart = start;
            _runEnd = end;
            _open = true;
        }
        else if (end > _runEnd)
        {
            _runEnd = end;
        }
    }

    public readonly long Total => _covered + (_open ? _runEnd - _runStart : 0);
}
