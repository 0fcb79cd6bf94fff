using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace OpsAssistant.Infrastructure.Incidents;

/// <summary>Command helpers for the incident queries (the store's own are private to it).</summary>
internal static class IncidentSql
{
    [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "Callers pass constant SQL; values are bound as parameters.")]
    public static DbCommand Command(DbConnection connection, string sql, params (string Name, DbType Type, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, type, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.DbType = type;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    public static long UnixMs(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static long UnixNano(DateTimeOffset value) => (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
}
