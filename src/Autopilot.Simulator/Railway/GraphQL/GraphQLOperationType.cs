namespace Autopilot.Simulator.Railway.GraphQL;

/// <summary>Kind of a GraphQL operation, as recorded in <see cref="RailwayFakeCall.OperationType"/>.</summary>
public enum GraphQLOperationType
{
    /// <summary>A read.</summary>
    Query,

    /// <summary>A write.</summary>
    Mutation,

    /// <summary>A stream (never executed by the fake).</summary>
    Subscription,
}
