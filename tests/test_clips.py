import numpy as np

from photofinder.clips import pooled, strongest


def _row(labels, scores, region=None):
    return (np.array(labels, np.int32), np.array(scores, np.float32),
            np.array(region if region is not None else [False] * len(labels)))


def test_a_video_keeps_each_labels_strongest_frame():
    labels, scores, region = strongest([
        _row([5, 9], [0.2, 0.9]),            # frame 1: a bear (9) clearly
        _row([5, 7], [0.6, 0.3], [True, False]),  # frame 2: the grass (5) in a region
        _row([9], [0.1]),
    ])
    got = dict(zip(labels.tolist(), zip(scores.tolist(), region.tolist())))
    assert got == {5: (np.float32(0.6), True), 7: (np.float32(0.3), False),
                   9: (np.float32(0.9), False)}


def test_features_are_the_mean_of_a_videos_frames_and_a_photo_is_itself():
    features = np.array([[1, 0], [0, 2], [2, 2], [4, 4]], np.float16)
    out = pooled(features, [1, 2, 1])
    assert out.tolist() == [[1, 0], [1, 2], [4, 4]] and out.dtype == np.float16
