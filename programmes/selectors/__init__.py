"""Page-shaped reads of the programmes app; other apps and cross-app pages read programmes through here.

The programme-level reads are re-exported so callers can keep `from programmes import selectors`.
"""

from programmes.selectors.programme import (
    programme_for_page,
    programme_menu,
    programmes_for_home,
    programmes_of_commune,
)

__all__ = ["programme_for_page", "programme_menu", "programmes_for_home", "programmes_of_commune"]
