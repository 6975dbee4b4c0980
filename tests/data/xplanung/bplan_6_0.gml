<?xml version="1.0" encoding="UTF-8"?>
<!-- Test data for layers/xplanung.py: a small, invented Bebauungsplan in XPlanGML 6.0.
     Areas: WA (GRZ 0.4, GFZ 1.2, Z 3) 6500 m2, MI (GRZ 0.6 only) 3000 m2,
     public green 6500 m2, street (SO_Strassenverkehr, as XPlanGML 6.0 models traffic) 1600 m2.
     Each geometry spells its CRS differently (EPSG code, OGC URN, OGC URI). -->
<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/6/0"
    xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:xlink="http://www.w3.org/1999/xlink"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.xplanung.de/xplangml/6/0 http://repository.gdi-de.org/schemas/de.xleitstelle.xplanung/6.0/XPlanung-Operationen.xsd"
    gml:id="GML_auszug_b60">
  <gml:boundedBy>
    <gml:Envelope srsName="EPSG:25832">
      <gml:lowerCorner>633800 5497790</gml:lowerCorner>
      <gml:upperCorner>633960 5497900</gml:upperCorner>
    </gml:Envelope>
  </gml:boundedBy>
  <gml:featureMember>
    <xplan:BP_Plan gml:id="GML_b60_plan">
      <xplan:name>Testplan Lerchenfeld</xplan:name>
      <xplan:nummer>B 60</xplan:nummer>
      <xplan:raeumlicherGeltungsbereich>
        <gml:Polygon gml:id="GML_b60_plan_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">633800 5497790 633960 5497790 633960 5497900 633800 5497900 633800 5497790</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:raeumlicherGeltungsbereich>
      <xplan:gemeinde>
        <xplan:XP_Gemeinde>
          <xplan:ags>09999999</xplan:ags>
          <xplan:gemeindeName>Musterstadt</xplan:gemeindeName>
        </xplan:XP_Gemeinde>
      </xplan:gemeinde>
      <xplan:planArt>1000</xplan:planArt>
      <xplan:rechtsstand>3000</xplan:rechtsstand>
      <xplan:bereich xlink:href="#GML_b60_bereich"/>
    </xplan:BP_Plan>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_Bereich gml:id="GML_b60_bereich">
      <xplan:nummer>0</xplan:nummer>
      <xplan:planinhalt xlink:href="#GML_b60_wa"/>
      <xplan:planinhalt xlink:href="#GML_b60_mi"/>
      <xplan:planinhalt xlink:href="#GML_b60_gruen"/>
      <xplan:planinhalt xlink:href="#GML_b60_strasse"/>
      <xplan:planinhalt xlink:href="#GML_b60_baugrenze"/>
      <xplan:gehoertZuPlan xlink:href="#GML_b60_plan"/>
    </xplan:BP_Bereich>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_b60_wa">
      <xplan:gehoertZuBereich xlink:href="#GML_b60_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_b60_wa_geom" srsName="urn:ogc:def:crs:EPSG::25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">633800 5497800 633900 5497800 633900 5497850 633850 5497880 633800 5497850 633800 5497800</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:GFZ>1.2</xplan:GFZ>
      <xplan:GRZ>0.4</xplan:GRZ>
      <xplan:Z>3</xplan:Z>
      <xplan:allgArtDerBaulNutzung>1000</xplan:allgArtDerBaulNutzung>
      <xplan:besondereArtDerBaulNutzung>1200</xplan:besondereArtDerBaulNutzung>
      <xplan:bauweise>1000</xplan:bauweise>
    </xplan:BP_BaugebietsTeilFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BaugebietsTeilFlaeche gml:id="GML_b60_mi">
      <xplan:gehoertZuBereich xlink:href="#GML_b60_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_b60_mi_geom" srsName="http://www.opengis.net/def/crs/EPSG/0/25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">633900 5497800 633960 5497800 633960 5497850 633900 5497850 633900 5497800</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:GRZ>0.6</xplan:GRZ>
      <xplan:allgArtDerBaulNutzung>2000</xplan:allgArtDerBaulNutzung>
      <xplan:besondereArtDerBaulNutzung>1500</xplan:besondereArtDerBaulNutzung>
    </xplan:BP_BaugebietsTeilFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_GruenFlaeche gml:id="GML_b60_gruen">
      <xplan:gehoertZuBereich xlink:href="#GML_b60_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_b60_gruen_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">633800 5497850 633850 5497880 633900 5497850 633960 5497850 633960 5497900 633800 5497900 633800 5497850</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:zweckbestimmung>
        <xplan:BP_KomplexeZweckbestGruen>
          <xplan:allgemein>1000</xplan:allgemein>
        </xplan:BP_KomplexeZweckbestGruen>
      </xplan:zweckbestimmung>
      <xplan:nutzungsform>2000</xplan:nutzungsform>
    </xplan:BP_GruenFlaeche>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:SO_Strassenverkehr gml:id="GML_b60_strasse">
      <xplan:gehoertZuBereich xlink:href="#GML_b60_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:Polygon gml:id="GML_b60_strasse_geom" srsName="EPSG:25832">
          <gml:exterior>
            <gml:LinearRing>
              <gml:posList srsDimension="2">633800 5497790 633960 5497790 633960 5497800 633900 5497800 633800 5497800 633800 5497790</gml:posList>
            </gml:LinearRing>
          </gml:exterior>
        </gml:Polygon>
      </xplan:position>
      <xplan:flaechenschluss>true</xplan:flaechenschluss>
      <xplan:nutzungsform>2000</xplan:nutzungsform>
      <xplan:hatDarstellungMitBesondZweckbest>false</xplan:hatDarstellungMitBesondZweckbest>
    </xplan:SO_Strassenverkehr>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:BP_BauGrenze gml:id="GML_b60_baugrenze">
      <xplan:gehoertZuBereich xlink:href="#GML_b60_bereich"/>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
      <xplan:position>
        <gml:LineString gml:id="GML_b60_baugrenze_geom" srsName="EPSG:25832">
          <gml:posList srsDimension="2">633805 5497805 633895 5497805 633895 5497845</gml:posList>
        </gml:LineString>
      </xplan:position>
    </xplan:BP_BauGrenze>
  </gml:featureMember>
  <gml:featureMember>
    <xplan:XP_TextAbschnitt gml:id="GML_b60_text">
      <xplan:schluessel>§ 1</xplan:schluessel>
      <xplan:text>Im Allgemeinen Wohngebiet sind Tankstellen nicht zulässig.</xplan:text>
      <xplan:rechtscharakter>1000</xplan:rechtscharakter>
    </xplan:XP_TextAbschnitt>
  </gml:featureMember>
</xplan:XPlanAuszug>
