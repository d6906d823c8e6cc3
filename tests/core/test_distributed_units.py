"""The data sharding the trainer does under torchrun, against torch's own DistributedSampler."""

import pytest
import torch
from torch.utils.data.distributed import DistributedSampler

from ganstudio.distributed import env_world, shard, shard_pos
from ganstudio.errors import ConfigError


@pytest.mark.parametrize("n", [1, 3, 7, 10, 64])
@pytest.mark.parametrize("world", [2, 3, 4])
def test_shards_are_distributed_samplers_slices_of_the_epoch_permutation(n, world):
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(n * 10 + world))
    shards = [shard(perm, r, world) for r in range(world)]
    for r, s in enumerate(shards):
        sampler = DistributedSampler(range(n), num_replicas=world, rank=r, shuffle=False)
        assert s.tolist() == perm[list(sampler)].tolist()
        assert len(s) == -(-n // world)  # every rank the same number of items
    assert set(torch.cat(shards).tolist()) == set(range(n))  # together they cover the epoch


def test_resuming_in_another_world_size_keeps_the_place_in_the_epoch():
    assert shard_pos(30, 2, 2, 50) == 30  # same world size: exact
    assert shard_pos(30, 2, 1, 100) == 60  # 60 items of the epoch were used by 2 ranks
    assert shard_pos(61, 1, 2, 50) == 31
    assert shard_pos(50, 2, 4, 25) == 25  # never past the end of the new shard


def test_env_world(monkeypatch):
    for k in ("WORLD_SIZE", "RANK", "LOCAL_RANK"):
        monkeypatch.delenv(k, raising=False)
    assert env_world() is None
    monkeypatch.setenv("WORLD_SIZE", "1")
    assert env_world() is None  # torchrun with one process trains single-process
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("RANK", "3")
    monkeypatch.setenv("LOCAL_RANK", "1")
    assert env_world() == (3, 4, 1)
    monkeypatch.delenv("RANK")
    with pytest.raises(ConfigError, match="torchrun"):
        env_world()
