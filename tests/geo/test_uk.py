import numpy as np
import pytest

from clearhold.geo.uk import in_uk

INSIDE = {"Northampton": (-0.89, 52.24), "Lerwick": (-1.15, 60.15), "St Mary's, Scilly": (-6.31, 49.92),
          "Land's End": (-5.71, 50.07), "Dover": (1.31, 51.13), "Beachy Head": (0.24, 50.74),
          "Belfast": (-5.93, 54.6), "Derry": (-7.31, 55.0), "Stornoway": (-6.39, 58.21), "Holyhead": (-4.63, 53.31),
          "Aberdeen": (-2.1, 57.15), "Lowestoft": (1.75, 52.48), "Whitby": (-0.61, 54.49)}
OUTSIDE = {"Dublin": (-6.26, 53.35), "Calais": (1.85, 50.95), "Paris": (2.35, 48.86), "Dundalk": (-6.6, 53.95),
           "Letterkenny": (-7.73, 54.95), "Brest": (-4.49, 48.39), "Swapped Northampton": (52.24, -0.89)}


@pytest.mark.parametrize("name", INSIDE)
def test_inside(name):
    assert in_uk(*INSIDE[name])


@pytest.mark.parametrize("name", OUTSIDE)
def test_outside(name):
    assert not in_uk(*OUTSIDE[name])


def test_vectorised_and_nan():
    got = in_uk(np.array([-0.89, -6.26, np.nan]), np.array([52.24, 53.35, 52.0]))
    assert got.tolist() == [True, False, False]
