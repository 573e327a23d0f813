using MLPipeline.Training.Trainers;

namespace MLPipeline.Training.Search;

/// <summary>One trial of a search: one configuration cross-validated on a fraction of each fold's training rows.</summary>
/// <param name="Number">1-based, in the order the search draws trials; the same for a seed whatever runs them.</param>
/// <param name="Rung">Halving's rung (0 for the first, the fewest rows); always 0 for grid and random.</param>
/// <param name="Fraction">Share of each training fold the trainer sees (1 = all of it).</param>
public sealed record TrialRequest(int Number, TrainerCandidate Candidate, int Rung, double Fraction);
