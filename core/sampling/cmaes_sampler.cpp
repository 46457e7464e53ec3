#include "core/sampling/cmaes_sampler.h"

#include "core/sampling/random_sampler.h"
#include "core/sampling/unit_mapping.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <random>
#include <utility>

namespace ps {

namespace {

// Salt of the CMA-ES candidate stream, so it is independent of RandomSampler's stream for the
// same trial (whose values the unmodelled parameters take).
constexpr std::uint64_t kCandidateSalt = 0x43d4a3e5c0ffee17ULL;
constexpr int kMaxResample = 100;
constexpr double kMinSigma = 1e-15, kMaxSigma = 1e3;
constexpr double kMaxCondition = 1e14;

// Only float and int parameters that are always active are modelled: a conditional parameter
// has no value in some trials, and the update needs a full vector for each.
bool modelled(const ParamSpec& p) {
    return p.type != ParamType::Categorical && (p.when.is_null() || p.when.empty());
}

bool isBad(const Trial& t) {
    return t.state != TrialState::Complete || !t.value || !std::isfinite(*t.value);
}

void hashMix(std::size_t& h, std::size_t v) {
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
}

// What a generation's update depends on: its trials' states, values and parameters.
std::size_t fingerprint(const std::vector<const Trial*>& gen) {
    std::size_t h = 0;
    for (const Trial* t : gen) {
        hashMix(h, static_cast<std::size_t>(t->number));
        hashMix(h, static_cast<std::size_t>(t->state));
        std::uint64_t bits = 0;
        if (t->value) {
            const double v = *t->value;
            std::memcpy(&bits, &v, sizeof bits);
        }
        hashMix(h, static_cast<std::size_t>(bits) ^ (t->value ? 1u : 0u));
        hashMix(h, std::hash<std::string>{}(t->params.dump()));
    }
    return h;
}

} // namespace

struct CmaEsSampler::State {
    Eigen::VectorXd mean, pSigma, pC;
    Eigen::MatrixXd C, B; // C = B diag(D^2) B^T
    Eigen::VectorXd D;
    double sigma = 0;
    int generation = 0; // updates applied so far

    State(int n, double sigma0)
        : mean(Eigen::VectorXd::Constant(n, 0.5)), pSigma(Eigen::VectorXd::Zero(n)),
          pC(Eigen::VectorXd::Zero(n)), C(Eigen::MatrixXd::Identity(n, n)),
          B(Eigen::MatrixXd::Identity(n, n)), D(Eigen::VectorXd::Ones(n)), sigma(sigma0) {}

    Eigen::MatrixXd invSqrtC() const { return B * D.cwiseInverse().asDiagonal() * B.transpose(); }

    // Restarts the shape (not the mean) when the numbers went bad, so nothing NaN or
    // singular is ever sampled from.
    void resetShape(double sigma0) {
        const auto n = mean.size();
        if (!mean.allFinite())
            mean = Eigen::VectorXd::Constant(n, 0.5);
        pSigma.setZero();
        pC.setZero();
        C.setIdentity();
        B.setIdentity();
        D.setOnes();
        sigma = sigma0;
    }

    // Tutorial, Section 4 / Fig. 6, with positive weights only (no active update). xs: the
    // generation's unit points, best first.
    void update(const Params& p, const std::vector<Eigen::VectorXd>& xs, double sigma0) {
        const auto n = static_cast<double>(mean.size());
        const Eigen::MatrixXd isc = invSqrtC();
        // Points not drawn from this exact distribution (startup trials, points proposed
        // before the previous generation finished, rounded ints) would bias the update:
        // their Mahalanobis length is capped as the tutorial does for injected solutions.
        const double cap = std::sqrt(n) + 2.0 * n / (n + 2.0);
        std::vector<Eigen::VectorXd> ys;
        for (int i = 0; i < p.mu; ++i) {
            Eigen::VectorXd y = (xs[static_cast<std::size_t>(i)] - mean) / sigma;
            const double len = (isc * y).norm();
            if (len > cap)
                y *= cap / len;
            ys.push_back(std::move(y));
        }
        Eigen::VectorXd yw = Eigen::VectorXd::Zero(mean.size());
        for (int i = 0; i < p.mu; ++i)
            yw += p.weights[static_cast<std::size_t>(i)] * ys[static_cast<std::size_t>(i)];
        mean += sigma * yw; // c_m = 1
        pSigma =
            (1 - p.cSigma) * pSigma + std::sqrt(p.cSigma * (2 - p.cSigma) * p.muEff) * (isc * yw);
        const double psNorm = pSigma.norm();
        const double hDenom = std::sqrt(1 - std::pow(1 - p.cSigma, 2.0 * (generation + 1)));
        const bool hSigma = psNorm / hDenom < (1.4 + 2 / (n + 1)) * p.chiN;
        pC = (1 - p.cC) * pC + (hSigma ? std::sqrt(p.cC * (2 - p.cC) * p.muEff) : 0.0) * yw;
        const double deltaH = hSigma ? 0.0 : p.cC * (2 - p.cC);
        Eigen::MatrixXd rankMu = Eigen::MatrixXd::Zero(mean.size(), mean.size());
        for (int i = 0; i < p.mu; ++i) {
            const auto& y = ys[static_cast<std::size_t>(i)];
            rankMu += p.weights[static_cast<std::size_t>(i)] * y * y.transpose();
        }
        C = (1 + p.c1 * deltaH - p.c1 - p.cMu) * C + p.c1 * pC * pC.transpose() + p.cMu * rankMu;
        // The exponent is capped at 1 (as pycma does) so a burst of bad points cannot blow
        // sigma up by orders of magnitude in one generation.
        sigma *= std::exp(std::min(1.0, p.cSigma / p.dSigma * (psNorm / p.chiN - 1)));
        sigma = std::clamp(sigma, kMinSigma, kMaxSigma);
        ++generation;
        decompose(sigma0);
        // The mean outside the cube only yields clipped points: keep it inside.
        mean = mean.cwiseMax(0.0).cwiseMin(1.0);
    }

    void decompose(double sigma0) {
        if (!C.allFinite() || !mean.allFinite() || !std::isfinite(sigma)) {
            resetShape(sigma0);
            return;
        }
        C = 0.5 * (C + C.transpose()); // enforce symmetry lost to rounding
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(C);
        if (eig.info() != Eigen::Success) {
            resetShape(sigma0);
            return;
        }
        Eigen::VectorXd ev = eig.eigenvalues();
        const double maxEv = ev.maxCoeff();
        if (!(maxEv > 0) || !std::isfinite(maxEv)) {
            resetShape(sigma0);
            return;
        }
        // A degenerate direction would make C^{-1/2} infinite: floor the eigenvalues.
        ev = ev.cwiseMax(maxEv / kMaxCondition);
        B = eig.eigenvectors();
        D = ev.cwiseSqrt();
        C = B * ev.asDiagonal() * B.transpose();
    }
};

CmaEsSampler::Params CmaEsSampler::defaultParams(int nDim) {
    Params p;
    const double n = std::max(1, nDim);
    p.lambda = 4 + static_cast<int>(std::floor(3 * std::log(n)));
    p.mu = p.lambda / 2;
    double sum = 0, sumSq = 0;
    for (int i = 1; i <= p.mu; ++i) {
        const double w = std::log((p.lambda + 1) / 2.0) - std::log(static_cast<double>(i));
        p.weights.push_back(w);
        sum += w;
    }
    for (auto& w : p.weights) {
        w /= sum;
        sumSq += w * w;
    }
    p.muEff = 1.0 / sumSq;
    p.cSigma = (p.muEff + 2) / (n + p.muEff + 5);
    p.dSigma = 1 + 2 * std::max(0.0, std::sqrt((p.muEff - 1) / (n + 1)) - 1) + p.cSigma;
    p.cC = (4 + p.muEff / n) / (n + 4 + 2 * p.muEff / n);
    const double alphaCov = 2;
    p.c1 = alphaCov / ((n + 1.3) * (n + 1.3) + p.muEff);
    p.cMu = std::min(1 - p.c1, alphaCov * (p.muEff - 2 + 1 / p.muEff) /
                                   ((n + 2) * (n + 2) + alphaCov * p.muEff / 2));
    p.chiN = std::sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
    return p;
}

CmaEsSampler::CmaEsSampler(std::uint64_t seed, Options options, Direction direction,
                           std::vector<Constraint> constraints)
    : m_seed(seed), m_options(options), m_direction(direction),
      m_constraints(std::move(constraints)) {}

CmaEsSampler::~CmaEsSampler() = default;

SamplerInfo CmaEsSampler::info() {
    return {"cmaes",
            "CMA-ES (Hansen's tutorial defaults) on the float and int parameters; categorical "
            "and conditional ones sampled at random",
            {
                makeSetting("sigma0", SettingType::Float, 0.2, 1e-6, 1.0,
                            "initial step size, as a fraction of each parameter's range"),
                makeSetting("n_startup_trials", SettingType::Int, 1, 0.0, std::nullopt,
                            "trials sampled at random before the first CMA-ES generation"),
            },
            [](const SamplerConfig& c) {
                Options o;
                o.sigma0 = c.options.value("sigma0", o.sigma0);
                o.nStartupTrials = c.options.value("n_startup_trials", o.nStartupTrials);
                const Direction direction =
                    c.objectives.empty() ? Direction::Minimize : c.objectives.front().direction;
                return std::make_unique<CmaEsSampler>(c.seed, o, direction, c.constraints);
            }};
}

const CmaEsSampler::State& CmaEsSampler::stateFor(const std::vector<std::size_t>& dims,
                                                  const SearchSpace& space,
                                                  const std::vector<const Trial*>& byNumber,
                                                  int generation) {
    const int n = static_cast<int>(dims.size());
    const Params p = defaultParams(n);
    std::vector<std::string> names;
    for (std::size_t d : dims)
        names.push_back(space.params[d].name);
    if (names != m_cacheDims) {
        m_cacheDims = names;
        m_states.clear();
        m_genHash.clear();
    }
    if (m_states.empty()) {
        m_states.push_back(std::make_unique<State>(n, m_options.sigma0));
    }
    const double sign = m_direction == Direction::Maximize ? -1.0 : 1.0;
    const int start = std::max(0, m_options.nStartupTrials);
    std::size_t k = 0;
    std::vector<const Trial*> gen(static_cast<std::size_t>(p.lambda));
    // Generations update in order: the first one not finished ends the replay.
    while (static_cast<int>(k) < generation) {
        bool finished = true;
        for (int i = 0; i < p.lambda; ++i) {
            const auto num = static_cast<std::size_t>(start + static_cast<int>(k) * p.lambda + i);
            const Trial* t = num < byNumber.size() ? byNumber[num] : nullptr;
            if (!t || !isFinished(t->state)) {
                finished = false;
                break;
            }
            gen[static_cast<std::size_t>(i)] = t;
        }
        if (!finished)
            break;
        const std::size_t h = fingerprint(gen);
        if (k < m_genHash.size()) {
            if (m_genHash[k] == h) {
                ++k;
                continue;
            }
            m_genHash.resize(k);
            m_states.resize(k + 1);
        }
        // Best first: COMPLETE trials by value, then FAIL/PRUNED (and values that are not
        // finite) as worst, ties by number so the order is deterministic.
        // Infeasible trials count as failed ones.
        auto bad = [this](const Trial& t) { return isBad(t) || !isFeasible(m_constraints, t); };
        std::sort(gen.begin(), gen.end(), [sign, &bad](const Trial* a, const Trial* b) {
            const bool ba = bad(*a), bb = bad(*b);
            if (ba != bb)
                return bb;
            if (!ba && *a->value != *b->value)
                return sign * *a->value < sign * *b->value;
            return a->number < b->number;
        });
        const State& prev = *m_states[k];
        std::vector<Eigen::VectorXd> xs;
        for (const Trial* t : gen) {
            Eigen::VectorXd x = prev.mean;
            for (int j = 0; j < n; ++j) {
                const auto u =
                    unitCoordinate(space.params[dims[static_cast<std::size_t>(j)]], t->params);
                if (u)
                    x[j] = *u; // a missing value sits at the mean: it moves nothing
            }
            xs.push_back(std::move(x));
        }
        auto next = std::make_unique<State>(prev);
        next->update(p, xs, m_options.sigma0);
        m_states.push_back(std::move(next));
        m_genHash.push_back(h);
        ++k;
    }
    return *m_states[k];
}

Json CmaEsSampler::sample(const SearchSpace& space, const std::vector<Trial>& trials, int number) {
    // RandomSampler's unit point for this trial (the same stream, one draw per parameter):
    // categorical and conditional parameters keep these values, which the CMA-ES does not
    // model, and the modelled coordinates are overwritten below.
    std::vector<double> u = RandomSampler::unitPoint(m_seed, number, space.params.size());

    std::vector<std::size_t> dims;
    for (std::size_t j = 0; j < space.params.size(); ++j) {
        if (modelled(space.params[j]))
            dims.push_back(j);
    }
    const int start = std::max(0, m_options.nStartupTrials);
    if (dims.empty() || number < start)
        return paramsFromUnitPoint(space, u);

    const int n = static_cast<int>(dims.size());
    const int lambda = defaultParams(n).lambda;
    std::vector<const Trial*> byNumber;
    for (const auto& t : trials) {
        if (t.number < 0)
            continue;
        const auto i = static_cast<std::size_t>(t.number);
        if (i >= byNumber.size())
            byNumber.resize(i + 1, nullptr);
        byNumber[i] = &t;
    }
    const int generation = (number - start) / lambda;
    const State& s = stateFor(dims, space, byNumber, generation);

    // The candidate depends only on the seed, the number and the state, so a resumed study
    // proposes the same point.
    std::mt19937_64 rng(
        mixSeed(mixSeed(m_seed ^ kCandidateSalt) ^ mixSeed(static_cast<std::uint64_t>(number))));
    std::normal_distribution<double> normal(0.0, 1.0);
    const Eigen::MatrixXd bd = s.B * s.D.asDiagonal();
    Eigen::VectorXd z(n), x(n);
    for (int attempt = 0; attempt < kMaxResample; ++attempt) {
        for (int j = 0; j < n; ++j)
            z[j] = normal(rng);
        x = s.mean + s.sigma * (bd * z);
        if ((x.array() >= 0.0).all() && (x.array() <= 1.0).all())
            break;
    }
    for (int j = 0; j < n; ++j) {
        const double xj = std::isfinite(x[j]) ? x[j] : 0.5;
        u[dims[static_cast<std::size_t>(j)]] = std::clamp(xj, 0.0, 1.0);
    }
    return paramsFromUnitPoint(space, u);
}

} // namespace ps
