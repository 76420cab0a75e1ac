"""The segment-matching network (DESIGN §4): a small timm CNN per region crop plus a shape
MLP, a multiplex transformer alternating self- and cross-attention between the two frames,
and a softmax over reference regions plus a dustbin for each target region."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from ._timm import import_timm
from .features import CHANNELS, GEOMETRY

#: Added to the classical probability before its log, so a colour it rules out costs a
#: bounded penalty the network can overcome.
CLASSIC_FLOOR = 0.02


@dataclass
class MatcherConfig:
    """Shape of the network; stored in the weights card so a checkpoint rebuilds itself."""

    crop: int = 32
    backbone: str = "resnet10t"
    channels: tuple[int, ...] = (32, 64, 96, 128)
    stem_width: int = 16
    dim: int = 128
    heads: int = 4
    layers: int = 3  # each one self- plus one cross-attention block
    #: {"classic_prior": True}: the scores also take the classical engine's posterior;
    #: {"prior_gate": True}: each target region weighs the two priors by its own token.
    extra: dict = field(default_factory=dict)

    @property
    def classic_prior(self) -> bool:
        return bool(self.extra.get("classic_prior", False))

    @property
    def prior_gate(self) -> bool:
        return bool(self.extra.get("prior_gate", False))

    def to_dict(self) -> dict:
        d = asdict(self)
        d["channels"] = list(self.channels)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> MatcherConfig:
        d = dict(d)
        d["channels"] = tuple(d.get("channels", cls.channels))
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


class Attention(nn.Module):
    """Pre-norm attention block with a feed-forward layer."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.norm_q = nn.LayerNorm(dim)
        self.norm_kv = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm_ff = nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))

    def forward(self, x: torch.Tensor, ctx: torch.Tensor) -> torch.Tensor:
        q = self.norm_q(x)
        kv = q if ctx is x else self.norm_kv(ctx)
        x = x + self.attn(q, kv, kv, need_weights=False)[0]
        return x + self.ff(self.norm_ff(x))


class SegmentMatcher(nn.Module):
    """Scores every target region against every reference region and a dustbin."""

    def __init__(self, config: MatcherConfig | None = None):
        super().__init__()
        self.config = config = config or MatcherConfig()
        timm = import_timm()
        self.cnn = timm.create_model(
            config.backbone,
            pretrained=False,
            in_chans=CHANNELS,
            num_classes=0,
            channels=tuple(config.channels),
            stem_width=config.stem_width,
        )
        d = config.dim
        self.cnn_proj = nn.Linear(self.cnn.num_features, d)
        self.geo = nn.Sequential(nn.Linear(GEOMETRY, d), nn.GELU(), nn.Linear(d, d))
        # Which frame a token belongs to: the target's colour channels are warped guesses.
        self.frame_embed = nn.Parameter(torch.zeros(2, d))
        self.self_blocks = nn.ModuleList(Attention(d, config.heads) for _ in range(config.layers))
        self.cross_blocks = nn.ModuleList(Attention(d, config.heads) for _ in range(config.layers))
        self.proj = nn.Linear(d, d)
        self.dustbin = nn.Sequential(nn.Linear(d, d), nn.GELU(), nn.Linear(d, 1))
        # Weight of the coarse-warp inclusion prior in the scores; learnt, starts strong.
        self.prior_weight = nn.Parameter(torch.tensor(4.0))
        self.score_scale = nn.Parameter(torch.tensor(1.0))
        if config.classic_prior:
            # Weight of log(classical colour probability): the network learns how far
            # to trust the classical engine and corrects it where its features know better.
            self.classic_weight = nn.Parameter(torch.tensor(1.0))
        if config.prior_gate:
            # Per target region, how far to trust the warp and the classical engine (a
            # limb that swung far is where both are wrong): 2 sigmoid(.) of its token, one
            # factor per prior, 1 at the start, so a network grown from one without the
            # gate starts where that one was.
            self.gate = nn.Linear(d, 2)
            nn.init.zeros_(self.gate.weight)
            nn.init.zeros_(self.gate.bias)

    def embed(self, crops: torch.Tensor, geometry: torch.Tensor, chunk: int = 1024) -> torch.Tensor:
        """float[n, dim] tokens from uint8 crops [n, C, S, S] and geometry [n, G]."""
        feats = []
        # Equal chunks: a last chunk of one crop would break BatchNorm in training.
        step = -(-len(crops) // max(1, -(-len(crops) // chunk))) if len(crops) else 1
        for i in range(0, len(crops), step):
            x = crops[i : i + step].float() * (1.0 / 255.0) - 0.5
            # NHWC: oneDNN's convolutions run about a third faster on the CPU this way.
            feats.append(self.cnn(x.contiguous(memory_format=torch.channels_last)))
        f = torch.cat(feats) if feats else crops.new_zeros((0, self.cnn.num_features), dtype=torch.float32)
        return self.cnn_proj(f) + self.geo(geometry.float())

    def mix(self, ref: torch.Tensor, tgt: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Multiplex transformer over the two token sets [n_ref, d], [n_tgt, d]."""
        r = (ref + self.frame_embed[0])[None]
        t = (tgt + self.frame_embed[1])[None]
        for sa, ca in zip(self.self_blocks, self.cross_blocks, strict=True):
            r, t = sa(r, r), sa(t, t)
            r, t = ca(r, t), ca(t, r)
        return r[0], t[0]

    def scores(
        self, ref: torch.Tensor, tgt: torch.Tensor, prior: torch.Tensor, classic: torch.Tensor | None = None
    ) -> torch.Tensor:
        """float[n_tgt, n_ref + 1] logits; the last column is the dustbin."""
        fr, ft = self.proj(ref), self.proj(tgt)
        s = ft @ fr.T * (self.score_scale / math.sqrt(fr.shape[1]))
        gate = 2.0 * torch.sigmoid(self.gate(tgt)).to(s.dtype) if self.config.prior_gate else None
        warp = self.prior_weight * prior.to(s.dtype)
        s = s + (warp if gate is None else gate[:, :1] * warp)
        if self.config.classic_prior:
            if classic is None:
                raise ValueError("this network needs the classical engine's posterior")
            log_classic = self.classic_weight * torch.log(classic.float().clamp_min(0.0) + CLASSIC_FLOOR)
            s = s + (log_classic if gate is None else gate[:, 1:] * log_classic).to(s.dtype)
        return torch.cat([s, self.dustbin(tgt)], dim=1)

    def forward(
        self,
        ref_tokens: torch.Tensor,
        tgt_tokens: torch.Tensor,
        prior: torch.Tensor,
        classic: torch.Tensor | None = None,
    ) -> torch.Tensor:
        r, t = self.mix(ref_tokens, tgt_tokens)
        return self.scores(r, t, prior, classic).float()


def match_loss(logits: torch.Tensor, positive: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Inclusion cross-entropy: -log of the probability mass on the reference regions
    that share the target's ground-truth id (or on the dustbin when none does).

    logits: [n_tgt, n_ref + 1]; positive: bool[n_tgt, n_ref]; valid: bool[n_tgt].
    """
    logp = torch.log_softmax(logits, dim=1)
    none = ~positive.any(dim=1, keepdim=True)
    pos = torch.cat([positive, none], dim=1)
    per = -torch.logsumexp(logp.masked_fill(~pos, float("-inf")), dim=1)
    per = per[valid]
    return per.mean() if len(per) else logits.sum() * 0.0


def fused_colour_loss(
    logits: torch.Tensor,
    classic: torch.Tensor,
    ref_onehot: torch.Tensor,
    target: torch.Tensor,
    classic_weight: float,
) -> torch.Tensor:
    """Cross-entropy of the colours the engine finally chooses from, as
    :func:`linepaint.core.match.learned.fuse_with_classic` makes them: the network's
    colour probabilities, with ``classic_weight`` of every region and the share it gave
    to "no match" following the classical posterior.  Trained on, the network learns
    where the classical engine is right and its own word can go to "no match", and where
    it must overrule it.

    logits: [n_tgt, n_ref + 1]; classic: [n_tgt, n_ref], the classical probability of
    each reference region's colour; ref_onehot: [n_ref, k] float, each reference region's
    colour in a palette of k; target: long[n_tgt], the ground-truth colour's index in that
    palette (-1: a colour the reference does not have, left out).
    """
    probs = torch.softmax(logits.float(), dim=1)
    net = probs[:, :-1] @ ref_onehot
    posterior = (classic.float().clamp_min(0.0) @ ref_onehot) / ref_onehot.sum(0).clamp_min(1.0)
    share = classic_weight + (1.0 - classic_weight) * probs[:, -1:]
    fused = (1.0 - classic_weight) * net + share * posterior
    ok = target >= 0
    if not bool(ok.any()):
        return logits.sum() * 0.0
    return -torch.log(fused[ok].gather(1, target[ok, None])[:, 0].clamp_min(1e-6)).mean()
