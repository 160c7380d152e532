"""Entry point: `streamlit run app.py`. The frame (language, lecture mode, navigation) lives in ui/frame.py; the
lessons, in lecture order, in ui/registry.py."""
from ui import frame

refused = frame.setup()
page = frame.navigation()
frame.refused_url_values_notice(refused)
page.run()
