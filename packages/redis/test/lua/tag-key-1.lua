-- Test fixture: the shared part sets the key; this script answers what it wrote.
--- @include "includes/set-tagged.lua"
return value
