-- The language each person reads (NULL: not chosen, so the portal's default, then the
-- browser's), and each portal's default language (NULL: the browser's). Tags: en, pt-BR.
ALTER TABLE portals ADD COLUMN default_language TEXT;
ALTER TABLE staff ADD COLUMN language TEXT;
ALTER TABLE customers ADD COLUMN language TEXT;
